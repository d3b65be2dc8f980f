package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.OperatorMetrics;
import io.consumergraph.model.proto.Factoid;
import io.consumergraph.model.proto.FactoidEventType;
import io.consumergraph.model.proto.FactoidSource;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.model.proto.Store;
import io.consumergraph.operators.decode.SchemaRegistryFraming;
import io.consumergraph.simulator.UpstreamSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * The flag document changes while the job runs: a segment admits its users, enrollment admits a
 * user the flag excludes, a killswitch holds its stream and releases it exactly once, and a bad
 * document keeps the last good one.
 */
class FlagGateIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 4);

  private static final OperatorMetrics METRICS = new OperatorMetrics(REPORTER);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long NOW = System.currentTimeMillis();

  private static EmbeddedKafka kafka;
  private static EmbeddedNeo4j neo4j;
  private static UpstreamSimulator upstream;

  @TempDir Path dir;

  @BeforeAll
  static void startServers() throws Exception {
    kafka = EmbeddedKafka.start();
    neo4j = EmbeddedNeo4j.start();
    upstream = UpstreamSimulator.start();
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (upstream != null) upstream.close();
    if (neo4j != null) neo4j.close();
    if (kafka != null) kafka.close();
  }

  private static String document(String teamIds, boolean receiptKillswitch) {
    return "flags:\n"
        + "  consumer_graph_ingestion:\n"
        + "    enabled: true\n"
        + "    rollout: 0\n"
        + "    segments:\n"
        + "      - name: Team Users\n"
        + "        allowedIDs: ["
        + teamIds
        + "]\n"
        + "  consumer_graph_receipt_killswitch: { enabled: "
        + receiptKillswitch
        + " }\n"
        + "  consumer_graph_factoid_killswitch: { enabled: false }\n";
  }

  @Test
  void flagChangesWhileTheJobRunsGateHoldAndReleaseWithoutLossOrDoubleCounting() throws Exception {
    Path flags = dir.resolve("flags.yaml");
    writeAtomically(flags, document("\"u-team\"", false));
    kafka.createTopic("receipts", 2);
    kafka.createTopic("factoids", 1);
    kafka.createTopic("enrollments", 1);
    kafka.createTopic("dead-letters", 1);

    Configuration c = EmbeddedJobConfig.of(kafka, neo4j, upstream);
    c.set(JobOptions.RECEIPTS_TOPIC, "receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, "factoids");
    c.set(JobOptions.ENROLLMENTS_TOPIC, "enrollments");
    c.set(JobOptions.DEAD_LETTER_TOPIC, "dead-letters");
    c.set(JobOptions.FLAGS_LOCATION, flags.toString());
    c.set(JobOptions.FLAGS_POLL_INTERVAL, Duration.ofMillis(200));
    JobConfig config = JobConfig.of(c);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            ConsumerGraphJob.flinkConfiguration(config));
    env.setParallelism(2);
    ConsumerGraphJob.topology(config, false).build(env);
    JobClient job = env.executeAsync("flag-gate");
    String fido = upstream.catalog().fido(3);

    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      // 1. The segment admits u-team (receipt and shop order); u-other is dropped; u-enrolled
      //    is excluded by the flag but enrolled.
      send(producer, "enrollments", "{\"user_id\": \"u-enrolled\", \"enrolled\": true}".getBytes());
      waitFor("the enrollment reaches the gate", () -> gateCounter("enrollments") >= 1);
      send(producer, "receipts", receipt("r1", "u-team", fido));
      send(producer, "receipts", receipt("r2", "u-other", fido));
      send(producer, "receipts", receipt("r3", "u-enrolled", fido));
      send(producer, "factoids", shopOrder("o1", "u-team", fido));
      waitFor(
          "r1, o1 and r3 in Neo4j",
          () -> purchases("u-team").size() == 2 && purchases("u-enrolled").size() == 1);
      waitFor("r2 dropped by the gate", () -> gateCounter("dropped_none") >= 1);
      assertThat(purchases("u-team")).containsExactlyInAnyOrder("r1", "o1");
      assertThat(purchases("u-other")).isEmpty();

      // 2. The receipt killswitch holds receipts (a re-sent one too); shop orders still flow.
      writeAtomically(flags, document("\"u-team\"", true));
      waitFor(
          "the receipt killswitch engaged on every gate subtask",
          () -> METRICS.gaugeOnAll("flag-gate", "user-gate", "gate.receiptKillswitch", 2) == 1);
      send(producer, "receipts", receipt("r4", "u-team", fido));
      send(producer, "receipts", receipt("r5", "u-team", fido));
      send(producer, "receipts", receipt("r4", "u-team", fido));
      send(producer, "factoids", shopOrder("o2", "u-team", fido));
      waitFor("three receipts held", () -> gateCounter("held") >= 3);
      waitFor("o2 in Neo4j", () -> purchases("u-team").contains("o2"));
      assertThat(purchases("u-team")).containsExactlyInAnyOrder("r1", "o1", "o2");

      // 3. Off again: the held receipts are applied, the re-sent one once.
      writeAtomically(flags, document("\"u-team\"", false));
      waitFor("r4 and r5 in Neo4j", () -> purchases("u-team").size() == 5);
      assertThat(purchases("u-team")).containsExactlyInAnyOrder("r1", "o1", "o2", "r4", "r5");
      assertThat(gateCounter("released")).isEqualTo(3);

      // 4. Growing the segment admits u-other from now on; r2 was dropped for good.
      //    The document reaches the gate's subtasks a little after the flag source reads it, so r6
      //    is sent until it is admitted: a copy that arrives first is dropped, one admitted later
      //    is a duplicate the dedup drops, and without the new segment r6 never gets in.
      writeAtomically(flags, document("\"u-team\", \"u-other\"", false));
      waitFor("the grown segment is read", () -> flagsCounter("snapshots") >= 4);
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (!purchases("u-other").contains("r6") && System.nanoTime() < deadline) {
        send(producer, "receipts", receipt("r6", "u-other", fido));
        Thread.sleep(1000);
      }
      assertThat(purchases("u-other")).containsExactly("r6");

      // 5. A bad document is rejected and the last good one stays in force; the flag source's
      //    metrics show it.
      assertThat(flagsGauge("documentLoaded")).isEqualTo(1);
      assertThat(flagsCounter("snapshots")).as("four documents took effect").isEqualTo(4);
      assertThat(flagsCounter("failedPolls")).isZero();
      writeAtomically(flags, "flags: [this is not a flag document");
      waitFor("the bad document is rejected", () -> flagsGauge("consecutiveFailedPolls") >= 2);
      assertThat(flagsCounter("snapshots")).isEqualTo(4);
      send(producer, "receipts", receipt("r7", "u-other", fido));
      waitFor("r7 in Neo4j", () -> purchases("u-other").contains("r7"));
      assertThat(purchases("u-other")).containsExactlyInAnyOrder("r6", "r7");
    } finally {
      job.cancel().get();
    }
    Record edge =
        single(
            "MATCH (:User {user_id: 'u-team'})-[r:PURCHASED]->(:Product {product_id: $p})"
                + " RETURN r.times AS times, size(r.receipt_ids) AS ids",
            Map.of("p", fido));
    assertThat(edge.get("times").asLong()).isEqualTo(5);
    assertThat(edge.get("ids").asLong()).isEqualTo(5);
  }

  /**
   * Replaces the document in one step: writing in place truncates it first, and a poll in between
   * would read an empty document.
   */
  private static void writeAtomically(Path target, String text) throws IOException {
    Path next = target.resolveSibling(target.getFileName() + ".next");
    Files.writeString(next, text);
    Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, byte[] value)
      throws Exception {
    producer.send(new ProducerRecord<>(topic, value)).get();
  }

  private static byte[] receipt(String id, String user, String fido) {
    return ProcessedReceiptEvent.newBuilder()
        .setReceiptId(id)
        .setUserId(user)
        .setStatus(ReceiptStatus.FINISHED)
        .setStore(Store.newBuilder().setRetailerId("ret-1").setStoreName("shop"))
        .setPurchaseTimeMs(NOW - 86_400_000L)
        .addItems(ReceiptItem.newBuilder().setFido(fido).setQuantity(1))
        .build()
        .toByteArray();
  }

  private static byte[] shopOrder(String id, String user, String fido) {
    Factoid factoid =
        Factoid.newBuilder()
            .setSummaryId(id)
            .setUserId(user)
            .setSource(FactoidSource.SHOP)
            .setEventType(FactoidEventType.ORDER_FINALIZED)
            .addFidos(fido)
            .setFidoCount(1)
            .setEventTimeMs(NOW - 3_600_000L)
            .build();
    return SchemaRegistryFraming.frame(101, new int[] {0}, factoid.toByteArray());
  }

  private static List<String> purchases(String user) {
    try (Session session = neo4j.driver().session()) {
      return session
          .run(
              "MATCH (:User {user_id: $u})-[r:PURCHASED]->() UNWIND r.receipt_ids AS id"
                  + " RETURN DISTINCT id",
              Map.of("u", user))
          .list(r -> r.get("id").asString());
    }
  }

  private static Record single(String cypher, Map<String, Object> params) {
    try (Session session = neo4j.driver().session()) {
      return session.run(cypher, params).single();
    }
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    EmbeddedJobConfig.waitFor(what, WAIT, condition);
  }

  private static long gateCounter(String name) {
    return METRICS.counter("flag-gate", "user-gate", "gate." + name);
  }

  private static long flagsCounter(String name) {
    return METRICS.counter("flag-gate", "Source: flags", "flags." + name);
  }

  private static long flagsGauge(String name) {
    return METRICS.gauge("flag-gate", "Source: flags", "flags." + name);
  }
}
