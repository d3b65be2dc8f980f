package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.OperatorMetrics;
import io.consumergraph.model.proto.Factoid;
import io.consumergraph.model.proto.FactoidEventType;
import io.consumergraph.model.proto.FactoidSource;
import io.consumergraph.operators.decode.SchemaRegistryFraming;
import io.consumergraph.simulator.EndpointFamily;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.ShopOrder;
import io.consumergraph.simulator.ShopOrderLineItem;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * user_load_request messages on a real SQS-compatible queue load users' histories from the
 * simulated Purchase History API and BTS into Neo4j as FullLoads, alongside the live streams.
 */
class BackfillIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 6);

  private static final OperatorMetrics METRICS = new OperatorMetrics(REPORTER);

  private static final Duration WAIT = Duration.ofSeconds(90);

  @RegisterExtension static final EmbeddedStack STACK = new EmbeddedStack();

  @TempDir Path dir;

  @Test
  void backfillsWriteFullLoadsThatAgreeWithTheLiveStreamsAndFailuresAreDeadLettered()
      throws Exception {
    String bulk = STACK.sqs().createQueue("bulk", Map.of());
    String enrollment = STACK.sqs().createQueue("enrollment", Map.of());
    String dlq = STACK.sqs().createQueue("requests-dlq", Map.of());
    for (String topic : List.of("receipts", "factoids", "outcomes", "dead-letters")) {
      STACK.kafka().createTopic(topic, 1);
    }

    Configuration c = EmbeddedJobConfig.of(STACK.kafka(), STACK.neo4j(), STACK.upstream());
    c.set(JobOptions.RECEIPTS_TOPIC, "receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, "factoids");
    c.set(JobOptions.LOAD_OUTCOMES_TOPIC, "outcomes");
    c.set(JobOptions.DEAD_LETTER_TOPIC, "dead-letters");
    c.set(JobOptions.FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(dir).toString());
    c.set(JobOptions.FLAGS_POLL_INTERVAL, Duration.ofMillis(500));
    c.set(JobOptions.SQS_QUEUE_URL, bulk);
    c.set(JobOptions.SQS_ENROLLMENT_QUEUE_URL, enrollment);
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, dlq);
    c.set(JobOptions.SQS_ENDPOINT, STACK.sqs().endpoint().toString());
    c.set(JobOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofSeconds(30));
    c.set(JobOptions.LOAD_MAX_RETRIES, 2);
    c.set(JobOptions.UPSTREAM_TIMEOUT, Duration.ofSeconds(10));
    c.set(JobOptions.PURCHASE_HISTORY_RATE, 1000.0);
    JobConfig config = JobConfig.of(c);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            ConsumerGraphJob.flinkConfiguration(config));
    env.setParallelism(2);
    ConsumerGraphJob.topology(config, false).build(env);
    JobClient job = env.executeAsync("backfill");

    List<String> users = STACK.oracle().usersWithReceiptsAndShopOrders("backfill-user-", 3);
    String alice = users.get(0);
    String bob = users.get(1);
    String carol = users.get(2);
    try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
      // 1. The seed's message loads Alice's history; the graph equals the catalog's.
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(request(alice, false)));
      waitFor("Alice's history in Neo4j", () -> purchaseIds(alice).equals(expectedIds(alice)));
      assertAggregatesMatchOracle(alice, Set.of());
      Map<String, Object> afterLoad = graphOf(alice);

      // 2. The same receipt and shop order arriving live count once.
      HistoryReceipt receipt = receipts(alice).get(0);
      ShopOrder order = shopOrders(alice).get(0);
      producer.send(new ProducerRecord<>("receipts", EmbeddedStack.liveCopy(receipt))).get();
      producer.send(new ProducerRecord<>("factoids", liveCopy(order))).get();
      String marker = "live-" + UUID.randomUUID();
      producer.send(new ProducerRecord<>("receipts", STACK.liveReceipt(marker, alice))).get();
      waitFor("the marker receipt in Neo4j", () -> purchaseIds(alice).contains(marker));
      assertAggregatesMatchOracle(alice, Set.of(marker));

      // 3. A forced re-run leaves the graph as it was (plus the live marker); an unforced one
      //    within the loaded-user TTL is skipped.
      Map<String, Object> beforeRerun = graphOf(alice);
      long loadedBefore = loads("succeeded");
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(request(alice, true)));
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(request(alice, false)));
      waitFor(
          "the forced re-run loaded and the unforced one skipped",
          // Skipped as loaded within the TTL, at once or, if it overtook the forced one, once
          // that load ended.
          () -> loads("succeeded") == loadedBefore + 1 && loads("skippedRecentlyLoaded") == 1);
      Thread.sleep(1000); // the re-run's FullLoad reaches Neo4j at the sink's next batch
      assertThat(graphOf(alice)).isEqualTo(beforeRerun);
      assertThat(afterLoad).isNotEqualTo(beforeRerun);

      // 4. A live receipt sent while Bob's load is in flight is counted once and survives it.
      // Each Purchase History page takes 3 s (the test's upstream timeout is 10 s), so the live
      // receipt sent 1 s after the request lands while the load is in flight.
      STACK.upstream().knobs(EndpointFamily.PURCHASE_HISTORY).latency(3000, 0);
      STACK
          .sqs()
          .client()
          .sendMessage(b -> b.queueUrl(enrollment).messageBody(request(bob, false)));
      Thread.sleep(1000);
      String during = "during-" + UUID.randomUUID();
      producer.send(new ProducerRecord<>("receipts", STACK.liveReceipt(during, bob))).get();
      waitFor(
          "Bob's history and live receipt",
          () ->
              purchaseIds(bob).containsAll(expectedIds(bob)) && purchaseIds(bob).contains(during));
      STACK.upstream().knobs(EndpointFamily.PURCHASE_HISTORY).reset();
      Thread.sleep(1000);
      assertAggregatesMatchOracle(bob, Set.of(during));
      // Bob came from the enrollment queue: his FullLoad and his updates after it have a Neo4j
      // writer of their own (the receipt sent during the load went the bulk writer's way).
      String enrolled = "enrolled-" + UUID.randomUUID();
      producer.send(new ProducerRecord<>("receipts", STACK.liveReceipt(enrolled, bob))).get();
      waitFor("Bob's receipt after his load", () -> purchaseIds(bob).contains(enrolled));
      assertThat(METRICS.counter("backfill", "full-load-merger", "priorityUpdates"))
          .as("Bob's FullLoad and the receipt after it")
          .isEqualTo(2);
      assertAggregatesMatchOracle(bob, Set.of(during, enrolled));

      // 5. Invalid requests and loads that keep failing go to the dead-letter queue; the failed
      //    user is not marked loaded, so a later request loads it.
      STACK
          .sqs()
          .client()
          .sendMessage(
              b -> b.queueUrl(bulk).messageBody("{\"event_type\": \"user_load_request\"}"));
      STACK.upstream().knobs(EndpointFamily.BTS).errorRate(1.0);
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(request(carol, false)));
      List<Message> letters = receiveAll(dlq, 2);
      STACK.upstream().knobs(EndpointFamily.BTS).reset();
      Map<String, String> reasons = new HashMap<>();
      for (Message m : letters) {
        reasons.put(m.messageAttributes().get("dlq.reason").stringValue(), m.body());
      }
      assertThat(reasons).containsKeys("invalid", "load-failed");
      assertThat(reasons.get("load-failed")).contains(carol);
      assertThat(purchaseIds(carol)).isEmpty();
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(request(carol, false)));
      waitFor(
          "Carol's history after the retry", () -> purchaseIds(carol).equals(expectedIds(carol)));
      assertAggregatesMatchOracle(carol, Set.of());
    } finally {
      job.cancel().get();
    }
  }

  // ---- requests and live events ----

  private static String request(String user, boolean force) {
    return "{\"event_type\": \"user_load_request\", \"user_id\": \""
        + user
        + "\","
        + " \"reason\": \"batch_backfill\", \"requested_at\": \""
        + Instant.ofEpochMilli(STACK.nowMs())
        + "\","
        + " \"lookback_days\": 365, \"request_id\": \""
        + UUID.randomUUID()
        + "\","
        + " \"priority\": \"low\""
        + (force ? ", \"force\": true" : "")
        + "}";
  }

  private static byte[] liveCopy(ShopOrder o) {
    Factoid.Builder f =
        Factoid.newBuilder()
            .setSummaryId(o.buttonOrderId())
            .setUserId(o.userId())
            .setSource(FactoidSource.SHOP)
            .setEventType(FactoidEventType.ORDER_FINALIZED)
            .setEventTimeMs(o.createdAtMs())
            .setRetailerId(o.retailerId());
    o.lineItems().stream()
        .map(ShopOrderLineItem::fido)
        .filter(x -> !x.isEmpty())
        .forEach(f::addFidos);
    f.setFidoCount(f.getFidosCount());
    return SchemaRegistryFraming.frame(3, new int[] {0}, f.build().toByteArray());
  }

  // ---- the oracle and SQS ----

  private static List<HistoryReceipt> receipts(String user) {
    return STACK.oracle().receipts(user);
  }

  private static List<ShopOrder> shopOrders(String user) {
    return STACK.oracle().shopOrders(user);
  }

  private static Set<String> expectedIds(String user) {
    return STACK.oracle().expectedIds(user);
  }

  private static Set<String> purchaseIds(String user) {
    return STACK.oracle().purchaseIds(user);
  }

  private static Map<String, Object> graphOf(String user) {
    return STACK.oracle().graphOf(user);
  }

  private static void assertAggregatesMatchOracle(String user, Set<String> liveIds) {
    STACK.oracle().assertAggregatesMatch(user, liveIds);
  }

  private static List<Message> receiveAll(String queue, int count) throws InterruptedException {
    List<Message> all = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (all.size() < count && System.nanoTime() < deadline) {
      all.addAll(
          STACK
              .sqs()
              .client()
              .receiveMessage(
                  ReceiveMessageRequest.builder()
                      .queueUrl(queue)
                      .maxNumberOfMessages(10)
                      .waitTimeSeconds(1)
                      .messageAttributeNames("All")
                      .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                      .build())
              .messages());
    }
    assertThat(all).as("dead letters").hasSize(count);
    return all;
  }

  private static long loads(String name) {
    return METRICS.counter("backfill", "load-coordinator", "loads." + name);
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    EmbeddedJobConfig.waitFor(what, WAIT, condition);
  }
}
