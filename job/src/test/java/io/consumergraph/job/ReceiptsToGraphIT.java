package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.kafka.DeadLetterSerializer;
import io.consumergraph.job.kafka.RejectedUpdateDeadLetters;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.OperatorMetrics;
import io.consumergraph.model.proto.DigitalReceiptData;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.model.proto.Store;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * Receipts produced to a real Kafka broker go through the job on a MiniCluster with RocksDB and end
 * up in a real Neo4j; the graph is compared with one computed in this test from the receipts it
 * sent and the simulator's catalog, not by the code under test.
 */
class ReceiptsToGraphIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 4);

  private static final String TOPIC = "receipts";
  private static final String DLQ = "dead-letters";
  private static final long NOW = System.currentTimeMillis();

  private static final OperatorMetrics METRICS = new OperatorMetrics(REPORTER);

  @TempDir static Path flagDir;

  private static EmbeddedKafka kafka;
  private static EmbeddedNeo4j neo4j;
  private static UpstreamSimulator upstream;
  private static SyntheticCatalog catalog;

  @BeforeAll
  static void startServers() throws Exception {
    kafka = EmbeddedKafka.start();
    neo4j = EmbeddedNeo4j.start();
    upstream = UpstreamSimulator.start();
    catalog = upstream.catalog();
  }

  @AfterAll
  static void stopServers() throws Exception {
    if (upstream != null) upstream.close();
    if (neo4j != null) neo4j.close();
    if (kafka != null) kafka.close();
  }

  @BeforeEach
  void emptyGraph() {
    try (Session session = neo4j.driver().session()) {
      session.run("MATCH (n) DETACH DELETE n").consume();
    }
  }

  /** The receipts a test sent, split into what the graph must contain and what it must not. */
  private static final class Sent {
    final List<ProcessedReceiptEvent> valid = new ArrayList<>();
    final Map<String, Integer> filtered = new TreeMap<>();
    final List<Long> poisonOffsets = new ArrayList<>();
    int duplicates;
  }

  @Test
  void receiptsBecomeTheGraphAnOracleExpectsWithDuplicatesCountedOnceAndPoisonDeadLettered()
      throws Exception {
    String topic = TOPIC + "-main";
    String dlq = DLQ + "-main";
    kafka.createTopic(topic, 3);
    kafka.createTopic(dlq, 1);
    Sent sent = produce(topic, new Random(7));

    runJob(topic, dlq, "group-main");

    assertGraphMatchesOracle(sent.valid);
    List<ConsumerRecord<byte[], byte[]>> letters = kafka.readAll(dlq, Duration.ofSeconds(10));
    assertThat(letters).hasSize(sent.poisonOffsets.size());
    assertThat(letters).extracting(r -> header(r, DeadLetterSerializer.SOURCE)).containsOnly(topic);
    assertThat(letters)
        .extracting(r -> header(r, DeadLetterSerializer.REASON))
        .containsOnly("undecodable", "invalid");
    assertThat(
            METRICS.counter("receipts-to-graph-group-main", "decode-receipts", "filtered.digital"))
        .isEqualTo(sent.filtered.get("digital").longValue());
    assertThat(
            METRICS.counter(
                "receipts-to-graph-group-main", "decode-receipts", "filtered.notFinished"))
        .isEqualTo(sent.filtered.get("notFinished").longValue());
    assertThat(
            METRICS.counter(
                "receipts-to-graph-group-main", "decode-receipts", "filtered.noFidoItems"))
        .isEqualTo(sent.filtered.get("noFidoItems").longValue());
    assertThat(
            METRICS.counter("receipts-to-graph-group-main", "dedup-purchases", "duplicatesDropped"))
        .isEqualTo((long) sent.duplicates);
  }

  @Test
  void replayingTheTopicFromTheStartWithFreshStateLeavesTheGraphUnchanged() throws Exception {
    String topic = TOPIC + "-replay";
    String dlq = DLQ + "-replay";
    kafka.createTopic(topic, 2);
    kafka.createTopic(dlq, 1);
    Sent sent = produce(topic, new Random(11));

    runJob(topic, dlq, "group-first");
    Map<String, Object> first = graphSnapshot();
    // A new consumer group and no savepoint: every receipt reaches the sink a second time.
    runJob(topic, dlq, "group-rewound");

    assertThat(graphSnapshot()).isEqualTo(first);
    assertGraphMatchesOracle(sent.valid);
  }

  @Test
  void anUpdateNeo4jRejectsIsDeadLetteredWithItsErrorAndEveryOtherReceiptIsWritten()
      throws Exception {
    String topic = TOPIC + "-rejected";
    String dlq = DLQ + "-rejected";
    kafka.createTopic(topic, 3);
    kafka.createTopic(dlq, 1);
    // A constraint the data of one retailer breaks: Neo4j refuses every update that names it.
    String blocked = catalog.retailerId(0);
    String blockedName = catalog.retailer(blocked).name();
    try (Session session = neo4j.driver().session()) {
      session
          .run(
              "CREATE CONSTRAINT retailer_name_unique IF NOT EXISTS"
                  + " FOR (x:Retailer) REQUIRE x.name IS UNIQUE")
          .consume();
      session
          .run(
              "CREATE (:Retailer {retailer_id: 'squatter', name: $name})",
              Map.of("name", blockedName))
          .consume();
    }
    try {
      Sent sent = produce(topic, new Random(13));
      runJob(topic, dlq, "group-rejected");

      List<ProcessedReceiptEvent> accepted = new ArrayList<>();
      Set<String> refused = new HashSet<>();
      for (ProcessedReceiptEvent r : sent.valid) {
        if (r.getStore().getRetailerId().equals(blocked)) {
          refused.add(r.getReceiptId());
        } else {
          accepted.add(r);
        }
      }
      assertThat(refused).isNotEmpty();
      assertGraphMatchesOracle(accepted);

      ObjectMapper json = new ObjectMapper();
      Set<String> letteredPurchases = new HashSet<>();
      List<ConsumerRecord<byte[], byte[]>> letters = kafka.readAll(dlq, Duration.ofSeconds(10));
      for (ConsumerRecord<byte[], byte[]> letter : letters) {
        if (!header(letter, DeadLetterSerializer.REASON).equals(RejectedUpdateDeadLetters.REASON)) {
          continue;
        }
        assertThat(header(letter, DeadLetterSerializer.SOURCE))
            .isEqualTo(RejectedUpdateDeadLetters.SOURCE);
        assertThat(header(letter, DeadLetterSerializer.DETAIL))
            .contains("Neo.ClientError.Schema.ConstraintValidationFailed");
        JsonNode update = json.readTree(letter.value());
        update.path("purchases").forEach(p -> letteredPurchases.add(p.path("purchaseId").asText()));
      }
      assertThat(letteredPurchases).isEqualTo(refused);
      assertThat(
              METRICS.counter(
                  "receipts-to-graph-group-rejected",
                  "neo4j-graph-sink: Writer",
                  "neo4jRejectedUpdates"))
          .isEqualTo(refused.size());
    } finally {
      try (Session session = neo4j.driver().session()) {
        session.run("DROP CONSTRAINT retailer_name_unique IF EXISTS").consume();
      }
    }
  }

  private JobExecutionResult runJob(String topic, String dlq, String groupId) throws Exception {
    Configuration c = EmbeddedJobConfig.of(kafka, neo4j, upstream);
    c.set(JobOptions.RECEIPTS_TOPIC, topic);
    c.set(JobOptions.FACTOIDS_TOPIC, topic + "-factoids");
    c.set(JobOptions.FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(flagDir).toString());
    c.set(JobOptions.DEAD_LETTER_TOPIC, dlq);
    c.set(JobOptions.GROUP_ID, groupId);
    c.set(JobOptions.NEO4J_BATCH_ROWS, 100);
    JobConfig config = JobConfig.of(c);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            ConsumerGraphJob.flinkConfiguration(config));
    env.setParallelism(2);
    ConsumerGraphJob.topology(config, true).build(env);
    String job = "receipts-to-graph-" + groupId;
    JobExecutionResult result = env.execute(job);
    // The oracle expects every purchase with its categories: one that went on without them after
    // every retry would show as a short SHOPS_IN count; say so instead.
    assertThat(METRICS.counter(job, "full-load-merger", "enrichmentIncomplete"))
        .as(
            "purchases written without their metadata (upstream failures %d, timeouts %d)",
            METRICS.counter(job, "enrich-purchases", "upstreamFailures"),
            METRICS.counter(job, "enrich-purchases", "timeouts"))
        .isZero();
    return result;
  }

  private Sent produce(String topic, Random random) throws Exception {
    kafka.createTopic(topic + "-factoids", 1);
    Sent sent = new Sent();
    List<byte[]> resend = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (int i = 0; i < 240; i++) {
        ProcessedReceiptEvent receipt = receipt(topic + "-r" + i, random);
        send(producer, topic, receipt.getUserId(), receipt.toByteArray());
        sent.valid.add(receipt);
        if (random.nextInt(5) == 0) {
          resend.add(receipt.toByteArray());
        }
      }
      for (int i = 0; i < 15; i++) {
        ProcessedReceiptEvent.Builder digital = receipt(topic + "-d" + i, random).toBuilder();
        digital.setDigitalReceiptData(DigitalReceiptData.newBuilder().setSource("email"));
        send(producer, topic, "k", digital.build().toByteArray());
        sent.filtered.merge("digital", 1, Integer::sum);
      }
      for (int i = 0; i < 12; i++) {
        ProcessedReceiptEvent pending =
            receipt(topic + "-p" + i, random).toBuilder().setStatus(ReceiptStatus.PENDING).build();
        send(producer, topic, "k", pending.toByteArray());
        sent.filtered.merge("notFinished", 1, Integer::sum);
      }
      for (int i = 0; i < 9; i++) {
        ProcessedReceiptEvent.Builder noFido = receipt(topic + "-n" + i, random).toBuilder();
        for (int j = 0; j < noFido.getItemsCount(); j++) {
          noFido.getItemsBuilder(j).clearFido();
        }
        send(producer, topic, "k", noFido.build().toByteArray());
        sent.filtered.merge("noFidoItems", 1, Integer::sum);
      }
      for (byte[] again : resend) {
        send(producer, topic, "k", again);
        sent.duplicates++;
      }
      producer.flush();
    }
    // Poison goes to partition 0 so the test knows its offsets.
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (int i = 0; i < 4; i++) {
        byte[] garbage = ("\u00ff garbage " + i).getBytes(StandardCharsets.ISO_8859_1);
        sent.poisonOffsets.add(
            producer.send(new ProducerRecord<>(topic, 0, null, garbage)).get().offset());
      }
      byte[] noUser = receipt(topic + "-x", random).toBuilder().setUserId("").build().toByteArray();
      sent.poisonOffsets.add(
          producer.send(new ProducerRecord<>(topic, 0, null, noUser)).get().offset());
    }
    return sent;
  }

  private static void send(
      KafkaProducer<byte[], byte[]> producer, String topic, String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
  }

  private static ProcessedReceiptEvent receipt(String receiptId, Random random) {
    ProcessedReceiptEvent.Builder b =
        ProcessedReceiptEvent.newBuilder()
            .setReceiptId(receiptId)
            .setUserId("user-" + random.nextInt(25))
            .setStatus(ReceiptStatus.FINISHED)
            .setStore(
                Store.newBuilder()
                    .setRetailerId(catalog.retailerId(random.nextInt(6)))
                    .setStoreName("shop"))
            .setPurchaseTimeMs(NOW - (1 + random.nextInt(300)) * 86_400_000L + random.nextInt(1000))
            .setProcessedAtMs(NOW);
    int items = 1 + random.nextInt(4);
    for (int i = 0; i < items; i++) {
      // A small product range so users buy the same products again.
      b.addItems(
          ReceiptItem.newBuilder()
              .setFido(catalog.fido(random.nextInt(40)))
              .setDescription("item")
              .setQuantity(1)
              .setPrice(1.0));
    }
    if (random.nextInt(4) == 0) {
      b.addItems(ReceiptItem.newBuilder().setDescription("unmatched item"));
    }
    return b.build();
  }

  // ---- the oracle ----

  private static void assertGraphMatchesOracle(List<ProcessedReceiptEvent> valid) {
    Map<String, Set<String>> purchased = new TreeMap<>();
    Map<String, Long> lastPurchase = new TreeMap<>();
    Map<String, Set<String>> shopsAt = new TreeMap<>();
    Map<String, Set<String>> shopsIn = new TreeMap<>();
    Map<String, String> inCategory = new TreeMap<>();
    for (ProcessedReceiptEvent r : valid) {
      shopsAt
          .computeIfAbsent(r.getUserId() + "|" + r.getStore().getRetailerId(), k -> new HashSet<>())
          .add(r.getReceiptId());
      for (ReceiptItem item : r.getItemsList()) {
        if (item.getFido().isEmpty()) {
          continue;
        }
        String key = r.getUserId() + "|" + item.getFido();
        purchased.computeIfAbsent(key, k -> new HashSet<>()).add(r.getReceiptId());
        lastPurchase.merge(key, r.getPurchaseTimeMs(), Math::max);
        String category = catalog.product(item.getFido()).categoryId();
        if (category != null && !category.isEmpty()) {
          shopsIn
              .computeIfAbsent(r.getUserId() + "|" + category, k -> new HashSet<>())
              .add(r.getReceiptId());
          inCategory.put(item.getFido(), category);
        }
      }
    }
    Driver driver = neo4j.driver();
    Map<String, Set<String>> actualPurchased = new TreeMap<>();
    Map<String, Long> actualLast = new TreeMap<>();
    for (Record row :
        rows(
            driver,
            "MATCH (u:User)-[r:PURCHASED]->(p:Product) RETURN u.user_id + '|' + p.product_id AS k,"
                + " r.receipt_ids AS ids, r.times AS times, size(r.timestamps) AS stamps,"
                + " r.last.epochMillis AS last")) {
      List<String> ids = row.get("ids").asList(v -> v.asString());
      assertThat(ids)
          .as("receipt_ids of %s have no duplicates", row.get("k"))
          .doesNotHaveDuplicates();
      assertThat(row.get("times").asLong()).isEqualTo(ids.size());
      assertThat(row.get("stamps").asLong()).isEqualTo(ids.size());
      actualPurchased.put(row.get("k").asString(), new HashSet<>(ids));
      actualLast.put(row.get("k").asString(), row.get("last").asLong());
    }
    assertThat(actualPurchased).isEqualTo(purchased);
    assertThat(actualLast).isEqualTo(lastPurchase);
    assertThat(
            counts(
                driver,
                "MATCH (u:User)-[s:SHOPS_AT]->(r:Retailer) RETURN u.user_id + '|' + r.retailer_id AS k, s.frequency AS n"))
        .isEqualTo(sizes(shopsAt));
    assertThat(
            counts(
                driver,
                "MATCH (u:User)-[s:SHOPS_IN]->(c:Category) RETURN u.user_id + '|' + c.category_id AS k, s.purchase_count AS n"))
        .isEqualTo(sizes(shopsIn));
    Map<String, String> actualInCategory = new TreeMap<>();
    for (Record row :
        rows(
            driver,
            "MATCH (p:Product)-[:IN_CATEGORY]->(c:Category) RETURN p.product_id AS p, c.category_id AS c")) {
      assertThat(actualInCategory.put(row.get("p").asString(), row.get("c").asString()))
          .as("one IN_CATEGORY per product")
          .isNull();
    }
    assertThat(actualInCategory).isEqualTo(inCategory);
  }

  private static Map<String, Long> sizes(Map<String, Set<String>> sets) {
    Map<String, Long> result = new TreeMap<>();
    sets.forEach((k, v) -> result.put(k, (long) v.size()));
    return result;
  }

  private static Map<String, Long> counts(Driver driver, String cypher) {
    Map<String, Long> result = new TreeMap<>();
    for (Record row : rows(driver, cypher)) {
      result.put(row.get("k").asString(), row.get("n").asLong());
    }
    return result;
  }

  private static Map<String, Object> graphSnapshot() {
    Map<String, Object> snapshot = new HashMap<>();
    for (Record row :
        rows(
            neo4j.driver(),
            "MATCH (a)-[r]->(b) RETURN type(r) + ':' + coalesce(a.user_id, a.product_id) + '->'"
                + " + coalesce(b.product_id, b.retailer_id, b.category_id) AS k,"
                + " properties(r) AS p")) {
      Map<String, Object> props = new TreeMap<>(row.get("p").asMap());
      snapshot.put(row.get("k").asString(), props.toString());
    }
    return snapshot;
  }

  private static List<Record> rows(Driver driver, String cypher) {
    try (Session session = driver.session()) {
      return session.run(cypher).list();
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
