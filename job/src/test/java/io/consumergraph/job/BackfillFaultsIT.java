package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.FailAfterFullLoads;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.OperatorMetrics;
import io.consumergraph.job.testing.RestartingJob;
import io.consumergraph.job.testing.TcpGate;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.simulator.EndpointFamily;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The backfill loop under faults, on the real job: every request ends applied (graph == oracle) or
 * dead-lettered, none lost, none counted twice, no SQS message left behind.
 */
class BackfillFaultsIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 4);

  private static final OperatorMetrics METRICS = new OperatorMetrics(REPORTER);
  private static final Duration WAIT = Duration.ofSeconds(150);

  @RegisterExtension static final EmbeddedStack STACK = new EmbeddedStack();

  @TempDir Path dir;

  /**
   * Neo4j goes away for longer than the sink waits for it, while FullLoads are on their way: the
   * writer fails, the job restarts from its last checkpoint until Neo4j is back. A load whose
   * FullLoad the failure took back must not count as done (its outcome is only committed with the
   * checkpoint that covers the write), so its redelivered request loads the user again.
   */
  @Test
  void aNeo4jOutageThatRestartsTheJobDuringABackfillLosesNoUserAndDoublesNothing()
      throws Exception {
    Outcome o = backfillThroughAnOutage("neo4j-outage-restart", Duration.ofSeconds(1), 20, 5_000);
    assertThat(o.failedWrites()).as("writes that failed the job during the outage").isPositive();
    assertThat(o.loadsRun()).as("loads, the lost ones run again").isGreaterThan(o.users());
  }

  /**
   * A Neo4j restart shorter than {@code neo4j.unavailable-timeout} is ridden out: the writer waits
   * with backoff, the job never fails, and no load runs twice.
   */
  @Test
  void aNeo4jOutageShorterThanTheUnavailableTimeoutIsRiddenOutWithoutARestart() throws Exception {
    Outcome o = backfillThroughAnOutage("neo4j-outage-wait", Duration.ofMinutes(2), 20, 10_000);
    assertThat(o.failedWrites()).as("writes given up").isZero();
    assertThat(o.retriedWrites()).as("writes retried while Neo4j was away").isPositive();
    assertThat(o.loadsRun()).as("loads: each user once").isEqualTo(o.users());
  }

  record Outcome(int users, long loadsRun, long failedWrites, long retriedWrites) {}

  /**
   * Loads a warm-up user, shuts Neo4j off, requests {@code count} more users, waits until their
   * histories are fetched and {@code outageMs} more, lets Neo4j back and checks every user's graph
   * against the oracle and that no request is left on the queue or dead-lettered.
   */
  private Outcome backfillThroughAnOutage(
      String job, Duration unavailableTimeout, int count, long outageMs) throws Exception {
    String bulk = STACK.sqs().createQueue(job + "-bulk", Map.of());
    String dlq = STACK.sqs().createQueue(job + "-dlq", Map.of());
    try (TcpGate bolt = TcpGate.openInFrontOf(STACK.neo4j().boltUri())) {
      Configuration c = new Configuration();
      c.set(JobOptions.NEO4J_URI, "bolt://127.0.0.1:" + bolt.endpoint().getPort());
      c.set(JobOptions.NEO4J_UNAVAILABLE_TIMEOUT, unavailableTimeout);
      JobClient client = start(job, bulk, dlq, c);
      try {
        List<String> users =
            STACK.oracle().usersWithReceiptsAndShopOrders(job + "-user-", count + 1);
        String warmUp = users.get(0);
        List<String> loaded = users.subList(1, users.size());
        STACK
            .sqs()
            .client()
            .sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(warmUp)));
        waitFor(
            "the warm-up user in Neo4j",
            () -> STACK.oracle().purchaseIds(warmUp).equals(STACK.oracle().expectedIds(warmUp)));

        bolt.shut();
        for (String user : loaded) {
          STACK
              .sqs()
              .client()
              .sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(user)));
        }
        // The loads run (the upstreams are fine) while every write waits or fails.
        waitFor(
            "the histories fetched during the outage",
            () -> METRICS.counter(job, "load-user-history", "loadsSucceeded") >= users.size());
        Thread.sleep(outageMs);
        long failedWrites = METRICS.counter(job, "neo4j-graph-sink: Writer", "neo4jFailures");
        bolt.open();

        waitFor(
            "every user's history in Neo4j after the outage",
            () ->
                loaded.stream()
                    .allMatch(
                        u -> STACK.oracle().purchaseIds(u).equals(STACK.oracle().expectedIds(u))));
        for (String user : users) {
          STACK.oracle().assertAggregatesMatch(user, Set.of());
        }
        waitFor("every request deleted from the queue", () -> STACK.messages(bulk) == 0);
        assertThat(STACK.messages(dlq)).as("dead letters").isZero();
        Outcome outcome =
            new Outcome(
                users.size(),
                METRICS.counter(job, "load-user-history", "loadsSucceeded"),
                failedWrites,
                METRICS.counter(job, "neo4j-graph-sink: Writer", "neo4jRetries"));
        // The figures of the closing note of this fault: sent, applied, dead-lettered, loads run.
        System.out.printf(
            "%s: %d requests sent, %d users applied, 0 dead-lettered, %d loads run, %d failed"
                + " writes, %d retried writes, %d outcomes ignored%n",
            job,
            users.size(),
            users.size(),
            outcome.loadsRun(),
            outcome.failedWrites(),
            outcome.retriedWrites(),
            METRICS.counter(job, "load-coordinator", "loads.outcomesIgnored"));
        return outcome;
      } finally {
        client.cancel().get();
      }
    }
  }

  /**
   * A Purchase History API answering most calls with 429 or 503 during a backfill: each load is
   * retried within its budget, only loads past it reach the dead-letter queue, and re-driving those
   * letters as they are (same body, same request id) loads the rest.
   */
  @Test
  void aPurchaseHistoryStormDeadLettersOnlyLoadsPastTheirRetriesAndAReDriveLoadsTheRest()
      throws Exception {
    String job = "ph-storm";
    String bulk = STACK.sqs().createQueue(job + "-bulk", Map.of());
    String dlq = STACK.sqs().createQueue(job + "-dlq", Map.of());
    Configuration c = new Configuration();
    c.set(JobOptions.LOAD_MAX_RETRIES, 2);
    JobClient client = start(job, bulk, dlq, c);
    List<String> users = STACK.oracle().usersWithReceiptsAndShopOrders(job + "-user-", 30);
    try {
      STACK.upstream().knobs(EndpointFamily.PURCHASE_HISTORY).throttleRate(0.2).errorRate(0.4);
      for (String user : users) {
        STACK
            .sqs()
            .client()
            .sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(user)));
      }
      waitFor(
          "every load to succeed or give up",
          () ->
              METRICS.counter(job, "load-user-history", "loadsSucceeded")
                      + METRICS.counter(job, "load-user-history", "loadsFailed")
                  == users.size());
      STACK.upstream().knobs(EndpointFamily.PURCHASE_HISTORY).reset();
      long failed = METRICS.counter(job, "load-user-history", "loadsFailed");
      long retried = METRICS.counter(job, "load-user-history", "loadAttemptsFailed");
      assertThat(failed).as("loads past their retry budget").isBetween(1L, users.size() - 1L);
      assertThat(retried).as("failed attempts").isGreaterThan(failed);

      List<Message> letters = receive(dlq, (int) failed);
      for (Message letter : letters) {
        assertThat(letter.messageAttributes().get("dlq.reason").stringValue())
            .isEqualTo("load-failed");
        STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(letter.body()));
        STACK
            .sqs()
            .client()
            .deleteMessage(b -> b.queueUrl(dlq).receiptHandle(letter.receiptHandle()));
      }

      waitFor(
          "every user loaded after the re-drive",
          () ->
              users.stream()
                  .allMatch(
                      u -> STACK.oracle().purchaseIds(u).equals(STACK.oracle().expectedIds(u))));
      for (String user : users) {
        STACK.oracle().assertAggregatesMatch(user, Set.of());
      }
      waitFor("every request deleted from the queue", () -> STACK.messages(bulk) == 0);
      assertThat(STACK.messages(dlq)).as("dead letters left").isZero();
      System.out.printf(
          "%s: %d requests sent, %d failed attempts retried, %d dead-lettered and re-driven,"
              + " %d users applied, 0 lost%n",
          job, users.size(), retried, failed, users.size());
    } finally {
      STACK.upstream().knobs(EndpointFamily.PURCHASE_HISTORY).reset();
      client.cancel().get();
    }
  }

  /**
   * The task manager dies while live receipts (some re-sent) and backfills of the same users are
   * flowing; the job restarts from its last checkpoint on a new one. Every user ends with exactly
   * its history plus its distinct live receipts.
   */
  @Test
  void aTaskManagerLostMidStreamAndMidBackfillLosesNothingAndDoublesNothing(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    String job = "tm-loss";
    String bulk = STACK.sqs().createQueue(job + "-bulk", Map.of());
    String dlq = STACK.sqs().createQueue(job + "-dlq", Map.of());
    JobClient client = start(job, bulk, dlq, new Configuration());
    List<String> users = STACK.oracle().usersWithReceiptsAndShopOrders(job + "-user-", 12);
    Map<String, Set<String>> live = new java.util.HashMap<>();
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
      for (int round = 0; round < 3; round++) {
        for (String user : users) {
          String id = job + "-" + user + "-r" + round;
          live.computeIfAbsent(user, u -> new java.util.HashSet<>()).add(id);
          producer.send(new ProducerRecord<>(job + "-receipts", STACK.liveReceipt(id, user))).get();
          sent++;
          if (round == 1) { // re-sent: must count once
            producer
                .send(new ProducerRecord<>(job + "-receipts", STACK.liveReceipt(id, user)))
                .get();
            sent++;
          }
          if (round == 0) {
            STACK
                .sqs()
                .client()
                .sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(user)));
          }
        }
        if (round == 0) {
          waitFor(
              "some loads done before the failure",
              () -> METRICS.counter(job, "load-user-history", "loadsSucceeded") >= 3);
          cluster.terminateTaskManager(0).get();
          cluster.startTaskManager();
        }
      }
    }
    try {
      assertEveryUserApplied(users, live);
      waitFor("every request deleted from the queue", () -> STACK.messages(bulk) == 0);
      assertThat(STACK.messages(dlq)).as("dead letters").isZero();
      System.out.printf(
          "%s: %d live records sent (%d distinct), %d load requests, task manager lost once, %d"
              + " users applied, 0 lost, 0 doubled%n",
          job, sent, live.values().stream().mapToInt(Set::size).sum(), users.size(), users.size());
    } finally {
      client.cancel().get();
    }
  }

  /**
   * The task fails right after the graph sink has taken a user's FullLoad, before the checkpoint
   * that covers it: once with the FullLoad still in the writer's buffer, once with it already
   * written to Neo4j. Neither load may count as done from the failed attempt (its outcome commits
   * only with that checkpoint) and neither may count twice: the restored job loads those users
   * again, and every user ends with exactly its history plus its live receipts.
   */
  @Test
  void aTaskFailureBetweenAFullLoadAndTheCheckpointCoveringItLosesNothingAndDoublesNothing()
      throws Exception {
    String job = "full-load-failure";
    String bulk = STACK.sqs().createQueue(job + "-bulk", Map.of());
    String dlq = STACK.sqs().createQueue(job + "-dlq", Map.of());
    JobClient client =
        start(job, bulk, dlq, new Configuration(), sink -> new FailAfterFullLoads(sink, job, 1, 1));
    List<String> users = STACK.oracle().usersWithReceiptsAndShopOrders(job + "-user-", 10);
    Map<String, Set<String>> live = new java.util.HashMap<>();
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
      for (int round = 0; round < 2; round++) {
        for (String user : users) {
          String id = job + "-" + user + "-r" + round;
          live.computeIfAbsent(user, u -> new java.util.HashSet<>()).add(id);
          producer.send(new ProducerRecord<>(job + "-receipts", STACK.liveReceipt(id, user))).get();
          sent++;
          if (round == 0) {
            STACK
                .sqs()
                .client()
                .sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(user)));
          }
        }
      }
    }
    try {
      waitFor("both injected failures", () -> FailAfterFullLoads.remaining(job) == 0);
      assertEveryUserApplied(users, live);
      waitFor("every request deleted from the queue", () -> STACK.messages(bulk) == 0);
      assertThat(STACK.messages(dlq)).as("dead letters").isZero();
      System.out.printf(
          "%s: %d live records sent, %d load requests, the task failed twice after a FullLoad"
              + " (once buffered, once written), %d users applied, 0 lost, 0 doubled%n",
          job, sent, users.size(), users.size());
    } finally {
      client.cancel().get();
    }
  }

  /** Waits until every user has its history plus its live receipts, then checks the aggregates. */
  private static void assertEveryUserApplied(List<String> users, Map<String, Set<String>> live)
      throws InterruptedException {
    waitFor(
        "every user's history and live receipts in Neo4j",
        () ->
            users.stream()
                .allMatch(
                    u -> {
                      Set<String> expected = new java.util.HashSet<>(STACK.oracle().expectedIds(u));
                      expected.addAll(live.get(u));
                      return STACK.oracle().purchaseIds(u).equals(expected);
                    }));
    for (String user : users) {
      STACK.oracle().assertAggregatesMatch(user, live.get(user));
    }
  }

  /** The job on the embedded stack with its own topics and group, restarting on failures. */
  private JobClient start(String job, String bulk, String dlq, Configuration overrides)
      throws Exception {
    return start(job, bulk, dlq, overrides, UnaryOperator.identity());
  }

  private JobClient start(
      String job,
      String bulk,
      String dlq,
      Configuration overrides,
      UnaryOperator<Sink<GraphUpdate>> graphSink)
      throws Exception {
    return RestartingJob.start(STACK, job, bulk, dlq, dir, overrides, graphSink);
  }

  private static List<Message> receive(String queue, int count) throws InterruptedException {
    List<Message> all = new java.util.ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (all.size() < count && System.nanoTime() < deadline) {
      all.addAll(
          STACK
              .sqs()
              .client()
              .receiveMessage(
                  b ->
                      b.queueUrl(queue)
                          .maxNumberOfMessages(10)
                          .waitTimeSeconds(1)
                          .visibilityTimeout(60)
                          .messageAttributeNames("All"))
              .messages());
    }
    assertThat(all).as("dead letters").hasSize(count);
    return all;
  }

  private static void waitFor(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    EmbeddedJobConfig.waitFor(what, WAIT, condition);
  }
}
