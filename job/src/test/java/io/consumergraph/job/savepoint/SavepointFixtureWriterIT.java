package io.consumergraph.job.savepoint;

import static io.consumergraph.job.savepoint.SavepointFixture.HELD_RECEIPT;
import static io.consumergraph.job.savepoint.SavepointFixture.HELD_USER;
import static io.consumergraph.job.savepoint.SavepointFixture.LIVE_RECEIPTS;
import static io.consumergraph.job.savepoint.SavepointFixture.LIVE_USER;
import static io.consumergraph.job.savepoint.SavepointFixture.LOADED_USER;
import static io.consumergraph.job.savepoint.SavepointFixture.LOAD_REQUEST_ID;

import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.job.ConsumerGraphJob;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.OperatorMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.util.EnvironmentInformation;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.driver.Session;

/**
 * Writes the savepoint fixture: runs the job on the embedded stack until its state holds a loaded
 * mark, dedup ids, recent live purchases and a held purchase, stops it with a savepoint and
 * replaces {@code src/test/resources/savepoint-fixture}. Runs only when asked (a deliberate
 * state-format change): see the README's "Savepoint compatibility".
 */
@EnabledIfSystemProperty(named = "savepoint.fixture.write", matches = "true")
class SavepointFixtureWriterIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 4);

  private static final OperatorMetrics METRICS = new OperatorMetrics(REPORTER);
  private static final String JOB = "savepoint-fixture";
  private static final Duration WAIT = Duration.ofSeconds(120);

  @TempDir Path dir;

  @Test
  void writesTheFixture() throws Exception {
    try (EmbeddedStack stack = EmbeddedStack.start()) {
      EmbeddedKafka kafka = stack.kafka();
      EmbeddedNeo4j neo4j = stack.neo4j();
      EmbeddedSqs sqs = stack.sqs();
      String bulk = sqs.createQueue("bulk", Map.of());
      String enrollment = sqs.createQueue("enrollment", Map.of());
      String dlq = sqs.createQueue("requests-dlq", Map.of());
      for (String topic : List.of("receipts", "factoids", "enrollments", "outcomes", "dead")) {
        kafka.createTopic(topic, 1);
      }
      Path flags = dir.resolve("flags.yaml");
      writeFlags(flags, false);

      Configuration c = EmbeddedJobConfig.of(kafka, neo4j, stack.upstream());
      c.set(JobOptions.RECEIPTS_TOPIC, "receipts");
      c.set(JobOptions.FACTOIDS_TOPIC, "factoids");
      c.set(JobOptions.ENROLLMENTS_TOPIC, "enrollments");
      c.set(JobOptions.LOAD_OUTCOMES_TOPIC, "outcomes");
      c.set(JobOptions.DEAD_LETTER_TOPIC, "dead");
      c.set(JobOptions.FLAGS_LOCATION, flags.toString());
      c.set(JobOptions.FLAGS_POLL_INTERVAL, Duration.ofMillis(300));
      c.set(JobOptions.SQS_QUEUE_URL, bulk);
      c.set(JobOptions.SQS_ENROLLMENT_QUEUE_URL, enrollment);
      c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, dlq);
      c.set(JobOptions.SQS_ENDPOINT, sqs.endpoint().toString());
      c.set(JobOptions.PURCHASE_HISTORY_RATE, 1000.0);
      JobConfig config = JobConfig.of(c);
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.getExecutionEnvironment(
              ConsumerGraphJob.flinkConfiguration(config));
      env.setParallelism(SavepointFixture.PARALLELISM);
      ConsumerGraphJob.topology(config, false).build(env);
      JobClient job = env.executeAsync(JOB);

      try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
        for (String id : LIVE_RECEIPTS) {
          producer.send(new ProducerRecord<>("receipts", stack.liveReceipt(id, LIVE_USER))).get();
        }
        sqs.client().sendMessage(b -> b.queueUrl(bulk).messageBody(loadRequest()));
        EmbeddedJobConfig.waitFor(
            "the live receipts in Neo4j and the load's outcome at the coordinator",
            WAIT,
            () ->
                purchases(neo4j, LIVE_USER) == LIVE_RECEIPTS.size()
                    && METRICS.counter(JOB, "load-coordinator", "loads.succeeded") == 1);

        writeFlags(flags, true);
        EmbeddedJobConfig.waitFor(
            "the receipt killswitch at the gate",
            WAIT,
            () -> METRICS.gauge(JOB, "user-gate", "gate.receiptKillswitch") == 1);
        producer.send(new ProducerRecord<>("receipts", stack.liveReceipt(HELD_RECEIPT, HELD_USER)));
        producer.flush();
        EmbeddedJobConfig.waitFor(
            "the held receipt", WAIT, () -> METRICS.counter(JOB, "user-gate", "gate.held") == 1);
      }

      long createdAt = System.currentTimeMillis();
      String written =
          job.stopWithSavepoint(
                  false,
                  dir.resolve("savepoints").toUri().toString(),
                  SavepointFormatType.CANONICAL)
              .get();
      replaceFixture(Path.of(java.net.URI.create(written)), createdAt);
    }
  }

  private static void replaceFixture(Path savepoint, long createdAt) throws IOException {
    if (Files.exists(SavepointFixture.DIRECTORY)) {
      try (Stream<Path> old = Files.walk(SavepointFixture.DIRECTORY)) {
        for (Path p : old.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(SavepointFixture.SAVEPOINT);
    try (Stream<Path> files = Files.list(savepoint)) {
      for (Path f : files.toList()) {
        Files.copy(f, SavepointFixture.SAVEPOINT.resolve(f.getFileName().toString()));
      }
    }
    Properties manifest = new Properties();
    manifest.setProperty(SavepointFixture.CREATED_AT_MS, Long.toString(createdAt));
    manifest.setProperty(SavepointFixture.FLINK_VERSION, EnvironmentInformation.getVersion());
    try (OutputStream out = Files.newOutputStream(SavepointFixture.MANIFEST)) {
      manifest.store(
          out, "consumer-graph savepoint fixture, written " + Instant.ofEpochMilli(createdAt));
    }
  }

  private static void writeFlags(Path target, boolean receiptKillswitch) throws IOException {
    Path next = target.resolveSibling(target.getFileName() + ".next");
    Files.writeString(
        next,
        "flags:\n"
            + "  consumer_graph_ingestion: { enabled: true, rollout: 100 }\n"
            + "  consumer_graph_receipt_killswitch: { enabled: "
            + receiptKillswitch
            + " }\n"
            + "  consumer_graph_factoid_killswitch: { enabled: false }\n",
        StandardCharsets.UTF_8);
    Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static String loadRequest() {
    return "{\"event_type\": \"user_load_request\", \"user_id\": \""
        + LOADED_USER
        + "\", \"reason\": \"batch_backfill\", \"requested_at\": \""
        + Instant.now()
        + "\", \"lookback_days\": 365, \"request_id\": \""
        + LOAD_REQUEST_ID
        + "\", \"priority\": \"low\"}";
  }

  private static long purchases(EmbeddedNeo4j neo4j, String user) {
    try (Session s = neo4j.driver().session()) {
      return s.run(
              "MATCH (:User {user_id: $u})-[r:PURCHASED]->() RETURN coalesce(sum(r.times), 0) AS n",
              Map.of("u", user))
          .single()
          .get("n")
          .asLong();
    }
  }
}
