package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.OperatorMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
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

/**
 * The ingestion flag grows while the job runs (an inline segment, an id-list segment, the rollout)
 * and the users it newly lets through are loaded without anyone sending a request: the gate asks,
 * the requests go through the real bulk queue, the coordinator skips a user loaded within its TTL.
 */
class AutoLoadIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 4);

  @RegisterExtension static final EmbeddedStack STACK = new EmbeddedStack();

  private static final OperatorMetrics METRICS = new OperatorMetrics(REPORTER);
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final String JOB = "auto-load";

  @TempDir Path dir;

  @Test
  void usersANewSegmentOrRolloutLetsThroughAreLoadedWithoutARequestAndOnlyThey() throws Exception {
    String bulk = STACK.sqs().createQueue("bulk", Map.of());
    String dlq = STACK.sqs().createQueue("requests-dlq", Map.of());
    for (String topic : List.of("receipts", "factoids", "outcomes", "dead-letters")) {
      STACK.kafka().createTopic(topic, 1);
    }
    List<String> users = usersWithNothingInTheWindowsFirstDay(5);
    String alice = users.get(0); // in the first document's segment: the initial backfill's
    String bob = users.get(1); // joins the inline segment
    String erin = users.get(2); // joins the id list, buys nothing
    String carol = users.get(3); // let through by the rollout
    String dave = users.get(4); // let through by the rollout, loaded by hand just before

    Path flags = dir.resolve("flags.yaml");
    Files.writeString(dir.resolve("beta.csv"), "user_id\nnobody\n");
    publish(flags, document(0, alice));

    Configuration c = EmbeddedJobConfig.of(STACK.kafka(), STACK.neo4j(), STACK.upstream());
    c.set(JobOptions.RECEIPTS_TOPIC, "receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, "factoids");
    c.set(JobOptions.LOAD_OUTCOMES_TOPIC, "outcomes");
    c.set(JobOptions.DEAD_LETTER_TOPIC, "dead-letters");
    c.set(JobOptions.FLAGS_LOCATION, flags.toString());
    c.set(JobOptions.FLAGS_POLL_INTERVAL, Duration.ofMillis(300));
    c.set(JobOptions.SQS_QUEUE_URL, bulk);
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, dlq);
    c.set(JobOptions.SQS_ENDPOINT, STACK.sqs().endpoint().toString());
    c.set(JobOptions.SQS_WAIT_TIME, Duration.ofSeconds(1));
    c.set(JobOptions.PURCHASE_HISTORY_RATE, 1000.0);
    // A loaded build machine can take longer than the 2 s default per request; a load that timed
    // out past its retries would go to the dead-letter queue and the user would never appear.
    c.set(JobOptions.UPSTREAM_TIMEOUT, Duration.ofSeconds(10));
    c.set(JobOptions.AUTO_LOAD_RATE, 2.0);
    JobConfig config = JobConfig.of(c);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            ConsumerGraphJob.flinkConfiguration(config));
    env.setParallelism(2);
    ConsumerGraphJob.topology(config, false).build(env);
    JobClient job = env.executeAsync(JOB);

    try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
      // 1. The first document is the baseline: Alice's purchases go on, nobody is asked for.
      waitFor("the first document", () -> flagsCounter("snapshots") >= 1);
      String aliceLive = live(producer, alice);
      waitFor("Alice's receipt", () -> purchaseIds(alice).contains(aliceLive));

      // Dave, not enabled yet, is loaded by hand (the runbook's backfill).
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(dave)));
      waitFor("Dave's history", () -> purchaseIds(dave).equals(expectedIds(dave)));

      // 2. Bob joins the inline segment and Erin the id list: Bob is asked for at his first
      //    purchase, Erin when her membership arrives.
      Files.writeString(dir.resolve("beta.csv"), "user_id\nnobody\n" + erin + "\n");
      publish(flags, document(0, alice, bob));
      waitFor("the grown segments", () -> flagsCounter("snapshots") >= 2);
      String bobLive = live(producer, bob);
      waitFor(
          "Bob's history with his live receipt",
          () ->
              purchaseIds(bob).containsAll(expectedIds(bob)) && purchaseIds(bob).contains(bobLive));
      waitFor("Erin's history", () -> purchaseIds(erin).equals(expectedIds(erin)));

      // 3. The rollout grows to everyone: Carol is asked for at her first purchase; Dave too, and
      //    the coordinator skips him as loaded within the TTL; Alice still is not.
      publish(flags, document(100, alice, bob));
      waitFor("the rollout", () -> flagsCounter("snapshots") >= 3);
      String carolLive = live(producer, carol);
      String daveLive = live(producer, dave);
      String aliceLater = live(producer, alice);
      waitFor(
          "Carol's history with her live receipt",
          () ->
              purchaseIds(carol).containsAll(expectedIds(carol))
                  && purchaseIds(carol).contains(carolLive));
      waitFor("Dave's request skipped", () -> loads("skippedRecentlyLoaded") == 1);
      waitFor(
          "Dave's and Alice's live receipts",
          () -> purchaseIds(dave).contains(daveLive) && purchaseIds(alice).contains(aliceLater));
      Thread.sleep(1000); // the last FullLoad reaches Neo4j at the sink's next batch

      assertThat(gateCounter("autoLoadRequests")).isEqualTo(4); // Bob, Erin, Carol, Dave
      assertThat(gateCounter("autoLoadReenabledRequests")).isZero();
      assertThat(METRICS.counter(JOB, "auto-load-throttle", "autoLoads.sent")).isEqualTo(4);
      assertThat(loads("succeeded")).isEqualTo(4); // Dave by hand, Bob, Erin, Carol
      STACK.oracle().assertAggregatesMatch(bob, Set.of(bobLive));
      STACK.oracle().assertAggregatesMatch(erin, Set.of());
      STACK.oracle().assertAggregatesMatch(carol, Set.of(carolLive));
      STACK.oracle().assertAggregatesMatch(dave, Set.of(daveLive));
      assertThat(purchaseIds(alice))
          .as("Alice was never loaded")
          .containsExactlyInAnyOrder(aliceLive, aliceLater);
      assertThat(STACK.messages(dlq)).isZero();
      waitFor("every request deleted once loaded or skipped", () -> STACK.messages(bulk) == 0);
    } finally {
      job.cancel().get();
    }
  }

  /**
   * Users whose 365-day history has nothing in its first day. The gate's requests are made at the
   * real time, while the oracle's window (and the simulator's clock) end at today's midnight: a
   * load asked for today starts up to a day later than the oracle's window, which these users'
   * histories do not notice.
   */
  private static List<String> usersWithNothingInTheWindowsFirstDay(int n) {
    long day = Duration.ofDays(1).toMillis();
    long from = STACK.nowMs() - 365 * day;
    return STACK.oracle().usersWithReceiptsAndShopOrders("auto-user-", 4 * n).stream()
        .filter(
            u ->
                STACK.catalog().receiptsFor(u, from, from + day).isEmpty()
                    && STACK.catalog().shopOrdersFor(u, from, from + day).isEmpty())
        .limit(n)
        .toList();
  }

  /** Rollout {@code percent}, the inline segment {@code team}, and the id list beta.csv. */
  private static String document(int percent, String... team) {
    StringBuilder ids = new StringBuilder();
    for (String id : team) {
      ids.append(ids.isEmpty() ? "" : ", ").append('"').append(id).append('"');
    }
    return "flags:\n"
        + "  consumer_graph_ingestion:\n"
        + "    enabled: true\n"
        + "    rollout: "
        + percent
        + "\n"
        + "    segments:\n"
        + "      - name: Team\n"
        + "        allowedIDs: ["
        + ids
        + "]\n"
        + "      - name: Beta\n"
        + "        allowedS3IDs: beta.csv\n";
  }

  private static void publish(Path target, String text) throws IOException {
    Path next = target.resolveSibling(target.getFileName() + ".next");
    Files.writeString(next, text);
    Files.move(next, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** A live receipt of the user (retailer 0, product 1); returns its id. */
  private static String live(KafkaProducer<byte[], byte[]> producer, String user) throws Exception {
    String id = "live-" + UUID.randomUUID();
    producer.send(new ProducerRecord<>("receipts", STACK.liveReceipt(id, user))).get();
    return id;
  }

  private static Set<String> purchaseIds(String user) {
    return STACK.oracle().purchaseIds(user);
  }

  private static Set<String> expectedIds(String user) {
    return STACK.oracle().expectedIds(user);
  }

  private static long gateCounter(String name) {
    return METRICS.counter(JOB, "user-gate", "gate." + name);
  }

  private static long flagsCounter(String name) {
    return METRICS.counter(JOB, "Source: flags", "flags." + name);
  }

  private static long loads(String name) {
    return METRICS.counter(JOB, "load-coordinator", "loads." + name);
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    EmbeddedJobConfig.waitFor(what, WAIT, condition);
  }
}
