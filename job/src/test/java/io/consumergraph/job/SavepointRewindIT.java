package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.OperatorMetrics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint, restore from it with the live topics rewound (to the earliest offset, then
 * to a timestamp): the replayed receipts count once, the state a rewind keeps (dedup ids, loaded
 * marks, the load outcomes' position) stays, and the graph equals the oracle throughout.
 */
class SavepointRewindIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 4);

  private static final OperatorMetrics METRICS = new OperatorMetrics(REPORTER);
  private static final Duration WAIT = Duration.ofSeconds(120);

  @RegisterExtension static final EmbeddedStack STACK = new EmbeddedStack();

  @TempDir Path dir;

  private final Map<String, Set<String>> live = new HashMap<>();
  private int sent;

  @Test
  void aRestoreWithTheLiveTopicsRewoundToTheStartAndToATimestampCountsNothingTwice()
      throws Exception {
    String bulk = STACK.sqs().createQueue("rewind-bulk", Map.of());
    String dlq = STACK.sqs().createQueue("rewind-dlq", Map.of());
    for (String topic : List.of("receipts", "factoids", "outcomes", "dead")) {
      STACK.kafka().createTopic(topic, 1);
    }
    List<String> users = STACK.oracle().usersWithReceiptsAndShopOrders("rewind-user-", 4);

    // 1. Live receipts (one of each user's re-sent) and a backfill of every user; savepoint.
    JobClient first = start("rewind-0", 0, "earliest", null, bulk, dlq);
    produce(users, "a", true);
    for (String user : users) {
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(user)));
    }
    awaitGraph(users);
    String savepoint1 = stop(first, "sp1");

    Thread.sleep(20);
    long rewindTo = System.currentTimeMillis();
    Thread.sleep(20);
    produce(users, "b", false); // while the job is down

    // 2. Restored, with the live topics re-read from the start: the old receipts are replayed.
    JobClient second = start("rewind-1", 1, "earliest", savepoint1, bulk, dlq);
    awaitGraph(users);
    produce(users, "c", false);
    awaitGraph(users);
    assertThat(METRICS.counter("rewind-1", "dedup-purchases", "duplicatesDropped"))
        .as("replayed receipts the restored dedup state knew")
        .isGreaterThanOrEqualTo(users.size() * 2L);
    assertThat(METRICS.counter("rewind-1", "load-coordinator", "loads.started"))
        .as("loads after the restore (marks and outcomes kept)")
        .isZero();
    String savepoint2 = stop(second, "sp2");

    // 3. Restored again, re-reading from a timestamp: b and c come again, a does not.
    JobClient third = start("rewind-2", 2, "timestamp:" + rewindTo, savepoint2, bulk, dlq);
    produce(users, "d", false);
    awaitGraph(users);
    try {
      assertThat(METRICS.counter("rewind-2", "decode-receipts", "accepted"))
          .as("receipts read after the timestamp: b, c and d")
          .isEqualTo(users.size() * 3L);
      for (String user : users) {
        STACK.oracle().assertAggregatesMatch(user, live.get(user));
      }
      assertThat(STACK.messages(bulk)).as("requests left").isZero();
      assertThat(STACK.messages(dlq)).as("dead letters").isZero();
      System.out.printf(
          "savepoint rewinds: %d live records sent (%d distinct), %d users backfilled once, two"
              + " restores (earliest, timestamp), lost 0, doubled 0%n",
          sent, live.values().stream().mapToInt(Set::size).sum(), users.size());
    } finally {
      third.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  private void produce(List<String> users, String round, boolean resend) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
      for (String user : users) {
        String id = "rewind-" + user + "-" + round;
        live.computeIfAbsent(user, u -> new HashSet<>()).add(id);
        for (int i = 0; i < (resend ? 2 : 1); i++) {
          producer.send(new ProducerRecord<>("receipts", STACK.liveReceipt(id, user))).get();
          sent++;
        }
      }
    }
  }

  private void awaitGraph(List<String> users) throws InterruptedException {
    EmbeddedJobConfig.waitFor(
        "every user's history and live receipts in Neo4j",
        WAIT,
        () ->
            users.stream()
                .allMatch(
                    u -> {
                      Set<String> expected = new HashSet<>(STACK.oracle().expectedIds(u));
                      expected.addAll(live.get(u));
                      return STACK.oracle().purchaseIds(u).equals(expected);
                    }));
  }

  private String stop(JobClient job, String name) throws Exception {
    return job.stopWithSavepoint(
            false, dir.resolve(name).toUri().toString(), SavepointFormatType.CANONICAL)
        .get(60, TimeUnit.SECONDS);
  }

  private JobClient start(
      String job, int generation, String startFrom, String savepoint, String bulk, String dlq)
      throws Exception {
    Configuration c = EmbeddedJobConfig.of(STACK.kafka(), STACK.neo4j(), STACK.upstream());
    c.set(JobOptions.START_FROM, startFrom);
    c.set(JobOptions.REWIND_GENERATION, generation);
    c.set(JobOptions.GROUP_ID, "rewind-group");
    c.set(JobOptions.RECEIPTS_TOPIC, "receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, "factoids");
    c.set(JobOptions.LOAD_OUTCOMES_TOPIC, "outcomes");
    c.set(JobOptions.DEAD_LETTER_TOPIC, "dead");
    c.set(JobOptions.FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(dir).toString());
    c.set(JobOptions.SQS_QUEUE_URL, bulk);
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, dlq);
    c.set(JobOptions.SQS_ENDPOINT, STACK.sqs().endpoint().toString());
    c.set(JobOptions.PURCHASE_HISTORY_RATE, 1000.0);
    JobConfig config = JobConfig.of(c);
    Configuration flink = ConsumerGraphJob.flinkConfiguration(config);
    if (savepoint != null) {
      flink.setString("execution.savepoint.path", savepoint);
      // The rewound sources' old offsets have no operator any more: dropped on purpose.
      flink.setString("execution.savepoint.ignore-unclaimed-state", "true");
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(2);
    ConsumerGraphJob.topology(config, false).build(env);
    return env.executeAsync(job);
  }
}
