package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.OperatorMetrics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.driver.Session;

/**
 * {@code log-only} is a dry run: it processes and logs everything, and afterwards every receipt,
 * poison record and backfill request it saw is still there for a real run, which then applies them
 * all.
 */
class LogOnlyIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 4);

  private static final OperatorMetrics METRICS = new OperatorMetrics(REPORTER);
  private static final Duration WAIT = Duration.ofSeconds(90);

  @RegisterExtension static final EmbeddedStack STACK = new EmbeddedStack();

  @TempDir Path dir;

  @Test
  void aLogOnlyRunConsumesNothingAndARealRunAfterItAppliesEverything() throws Exception {
    String bulk = STACK.sqs().createQueue("log-only-bulk", Map.of());
    String dlq = STACK.sqs().createQueue("log-only-dlq", Map.of());
    for (String topic : List.of("receipts", "factoids", "outcomes", "dead")) {
      STACK.kafka().createTopic(topic, 1);
    }
    String live = "log-only-live-user";
    List<String> receipts = List.of("lo-r1", "lo-r2", "lo-r3");
    List<String> loaded = STACK.oracle().usersWithReceiptsAndShopOrders("log-only-user-", 2);
    try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
      for (String id : receipts) {
        producer.send(new ProducerRecord<>("receipts", STACK.liveReceipt(id, live))).get();
      }
      producer
          .send(new ProducerRecord<>("receipts", "\u00ff poison".getBytes(StandardCharsets.UTF_8)))
          .get();
    }
    for (String user : loaded) {
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(user)));
    }

    // 1. The dry run sees everything and consumes nothing.
    JobClient dryRun = start("log-only", true, bulk, dlq);
    try {
      EmbeddedJobConfig.waitFor(
          "the dry run to process the receipts, the poison record and both loads",
          WAIT,
          () ->
              METRICS.counter("log-only", "decode-receipts", "accepted") == receipts.size()
                  && METRICS.counter("log-only", "dead-letter-sink: Writer", "logOnlyRecords") == 1
                  && METRICS.counter("log-only", "load-user-history", "loadsSucceeded")
                      == loaded.size()
                  && METRICS.counter("log-only", "full-load-merger", "fullLoads") == loaded.size());
      Thread.sleep(2_000); // checkpoints complete meanwhile: none may delete or commit anything
    } finally {
      dryRun.cancel().get(60, TimeUnit.SECONDS);
    }
    assertThat(users()).as("users in Neo4j after the dry run").isZero();
    assertThat(STACK.kafka().endOffsets("dead").values()).as("dead letters sent").containsOnly(0L);
    assertThat(STACK.kafka().endOffsets("outcomes").values())
        .as("load outcomes sent")
        .containsOnly(0L);
    assertThat(committedOffsets("log-only-group")).as("committed Kafka offsets").isEmpty();
    EmbeddedJobConfig.waitFor(
        "the dry run's requests given back to the queue", WAIT, () -> STACK.visible(bulk) == 2);
    assertThat(STACK.messages(dlq)).as("requests dead-lettered").isZero();

    // 2. A real run with the same consumer group applies all of it.
    JobClient real = start("real", false, bulk, dlq);
    try {
      EmbeddedJobConfig.waitFor(
          "the real run to apply the receipts and the loads",
          WAIT,
          () ->
              STACK.oracle().purchaseIds(live).containsAll(receipts)
                  && loaded.stream()
                      .allMatch(
                          u -> STACK.oracle().purchaseIds(u).equals(STACK.oracle().expectedIds(u)))
                  && STACK.kafka().endOffsets("dead").values().stream()
                          .mapToLong(Long::longValue)
                          .sum()
                      == 1);
      for (String user : loaded) {
        STACK.oracle().assertAggregatesMatch(user, Set.of());
      }
      EmbeddedJobConfig.waitFor("the requests deleted", WAIT, () -> STACK.messages(bulk) == 0);
    } finally {
      real.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  private JobClient start(String job, boolean logOnly, String bulk, String dlq) throws Exception {
    Configuration c = EmbeddedJobConfig.of(STACK.kafka(), STACK.neo4j(), STACK.upstream());
    c.set(JobOptions.START_FROM, "committed");
    c.set(JobOptions.GROUP_ID, "log-only-group");
    c.set(JobOptions.LOG_ONLY, logOnly);
    c.set(JobOptions.RECEIPTS_TOPIC, "receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, "factoids");
    c.set(JobOptions.LOAD_OUTCOMES_TOPIC, "outcomes");
    c.set(JobOptions.DEAD_LETTER_TOPIC, "dead");
    c.set(JobOptions.FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(dir).toString());
    c.set(JobOptions.SQS_QUEUE_URL, bulk);
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, dlq);
    c.set(JobOptions.SQS_ENDPOINT, STACK.sqs().endpoint().toString());
    c.set(JobOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofSeconds(30));
    c.set(JobOptions.PURCHASE_HISTORY_RATE, 1000.0);
    JobConfig config = JobConfig.of(c);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            ConsumerGraphJob.flinkConfiguration(config));
    env.setParallelism(1);
    ConsumerGraphJob.topology(config, false).build(env);
    return env.executeAsync(job);
  }

  private static long users() {
    try (Session s = STACK.neo4j().driver().session()) {
      return s.run("MATCH (u:User) RETURN count(u) AS n").single().get("n").asLong();
    }
  }

  private static Map<?, ?> committedOffsets(String group) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, STACK.kafka().bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      return admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(30, TimeUnit.SECONDS);
    }
  }
}
