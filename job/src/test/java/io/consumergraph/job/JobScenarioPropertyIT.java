package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.job.testing.BackfillOracle;
import io.consumergraph.job.testing.BackfillOracle.Purchase;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.FailAfterFullLoads;
import io.consumergraph.job.testing.RestartingJob;
import io.consumergraph.simulator.EndpointFamily;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.HistoryReceiptItem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Generated scenarios through the whole job (MiniCluster, RocksDB, Kafka, Neo4j, ElasticMQ and the
 * simulator, all in process): live receipts, their repeats, history receipts that also arrive live
 * (cross-path), backfill requests, forced re-runs and plain re-runs, live receipts interleaved with
 * a user's load in flight, and task failures right after the sink takes a FullLoad. Each ends with
 * every user's graph equal to the oracle (plain Java over the simulator's catalog) and every SQS
 * request deleted, none dead-lettered.
 *
 * <p>Each try runs one job, about 20 s. {@code -Djqwik.tries.default=N} sets the number of tries (4
 * in the build: {@code junit-platform.properties}); {@code -Dscenario.max-users} and {@code
 * -Dscenario.max-events} the size of each. Shrinking is off: a try costs seconds, and the failing
 * scenario is printed whole with its seed.
 */
class JobScenarioPropertyIT {

  private static final Duration WAIT = Duration.ofSeconds(150);
  private static final AtomicInteger TRIES = new AtomicInteger();

  private static EmbeddedStack stack;
  private static Path flagDir;

  @BeforeContainer
  static void startServers() throws Exception {
    stack = EmbeddedStack.start();
    flagDir = Files.createTempDirectory("scenario-flags");
  }

  @AfterContainer
  static void stopServers() throws Exception {
    if (stack != null) {
      stack.close();
    }
  }

  enum Kind {
    /** Live receipt number {@code n} of the user: the same n again is a repeat. */
    LIVE,
    /** History receipt number {@code n} of the user, sent live as well. */
    CROSS_PATH,
    /** A backfill request. */
    REQUEST,
    /** A backfill request with {@code force}. */
    FORCED_REQUEST
  }

  record Event(int user, Kind kind, int n) {}

  /**
   * @param failBuffered task failures with a FullLoad in the sink's buffer
   * @param failWritten task failures with a FullLoad written to Neo4j, before its checkpoint
   * @param historyLatencyMs Purchase History latency per page: how long a load stays in flight
   */
  record Scenario(
      int users, List<Event> events, int failBuffered, int failWritten, int historyLatencyMs) {}

  @Provide
  Arbitrary<Scenario> scenarios() {
    int maxUsers = Integer.getInteger("scenario.max-users", 4);
    int maxEvents = Integer.getInteger("scenario.max-events", 24);
    return Arbitraries.integers()
        .between(1, maxUsers)
        .flatMap(
            users -> {
              Arbitrary<Event> event =
                  Combinators.combine(
                          Arbitraries.integers().between(0, users - 1),
                          Arbitraries.frequency(
                              Tuple.of(5, Kind.LIVE),
                              Tuple.of(2, Kind.CROSS_PATH),
                              Tuple.of(2, Kind.REQUEST),
                              Tuple.of(1, Kind.FORCED_REQUEST)),
                          Arbitraries.integers().between(0, 3))
                      .as(Event::new);
              return Combinators.combine(
                      event.list().ofMinSize(1).ofMaxSize(maxEvents),
                      Arbitraries.integers().between(0, 1),
                      Arbitraries.integers().between(0, 1),
                      Arbitraries.of(0, 100, 400))
                  .as(
                      (events, buffered, written, latency) ->
                          new Scenario(users, events, buffered, written, latency));
            });
  }

  @Property(shrinking = ShrinkingMode.OFF)
  void everyScenarioEndsWithTheGraphTheOracleComputesAndNoRequestLeft(
      @ForAll("scenarios") Scenario scenario) throws Exception {
    String job = "scenario-" + TRIES.incrementAndGet();
    BackfillOracle oracle = stack.oracle();
    List<String> users = oracle.usersWithReceiptsAndShopOrders(job + "-user-", scenario.users());
    String bulk = stack.sqs().createQueue(job + "-bulk", Map.of());
    String dlq = stack.sqs().createQueue(job + "-dlq", Map.of());
    stack.upstream().knobs(EndpointFamily.PURCHASE_HISTORY).latency(scenario.historyLatencyMs(), 0);
    JobClient client =
        RestartingJob.start(
            stack,
            job,
            bulk,
            dlq,
            flagDir,
            new Configuration(),
            sink ->
                new FailAfterFullLoads(sink, job, scenario.failBuffered(), scenario.failWritten()));
    try {
      Map<String, Map<String, Purchase>> expected = send(job, bulk, users, scenario.events());
      EmbeddedJobConfig.waitFor(
          "every user's graph as the oracle has it, and every request deleted, in " + scenario,
          WAIT,
          () ->
              users.stream().allMatch(u -> oracle.purchaseIds(u).equals(ids(expected.get(u))))
                  && stack.messages(bulk) == 0);
      for (String user : users) {
        oracle.assertGraphIs(user, expected.get(user).values());
      }
      assertThat(stack.messages(dlq)).as("requests dead-lettered").isZero();
      System.out.printf(
          "%s: %d users, %d events, %d of %d injected failures happened, graph == oracle%n",
          job,
          users.size(),
          scenario.events().size(),
          scenario.failBuffered() + scenario.failWritten() - FailAfterFullLoads.remaining(job),
          scenario.failBuffered() + scenario.failWritten());
    } finally {
      client.cancel().get();
      stack.upstream().knobs(EndpointFamily.PURCHASE_HISTORY).latency(0, 0);
    }
  }

  /**
   * Sends the events in order and returns what each user's graph must count: its live receipts,
   * plus its whole history if any request for it was sent, else the history receipts it was sent
   * live.
   */
  private Map<String, Map<String, Purchase>> send(
      String job, String bulk, List<String> users, List<Event> events) throws Exception {
    BackfillOracle oracle = stack.oracle();
    Map<String, Map<String, Purchase>> expected = new HashMap<>();
    Set<String> backfilled = new HashSet<>();
    users.forEach(u -> expected.put(u, new LinkedHashMap<>()));
    try (KafkaProducer<byte[], byte[]> producer = stack.kafka().producer()) {
      for (Event event : events) {
        String user = users.get(event.user());
        switch (event.kind()) {
          case LIVE -> {
            String id = job + "-" + user + "-live-" + event.n();
            send(producer, job, stack.liveReceipt(id, user));
            expected.get(user).put(id, oracle.liveAtRetailerZero(id));
          }
          case CROSS_PATH -> {
            List<HistoryReceipt> history = oracle.receipts(user);
            HistoryReceipt receipt = history.get(event.n() % history.size());
            send(producer, job, EmbeddedStack.liveCopy(receipt));
            expected.get(user).put(receipt.receiptId(), purchase(receipt));
          }
          case REQUEST, FORCED_REQUEST -> {
            String body = stack.loadRequest(user, event.kind() == Kind.FORCED_REQUEST);
            stack.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(body));
            backfilled.add(user);
          }
        }
      }
    }
    for (String user : backfilled) {
      oracle.history(user).forEach(p -> expected.get(user).put(p.id(), p));
    }
    return expected;
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String job, byte[] receipt)
      throws Exception {
    producer.send(new ProducerRecord<>(job + "-receipts", receipt)).get();
  }

  private static Set<String> ids(Map<String, Purchase> purchases) {
    Set<String> ids = new HashSet<>();
    purchases.values().stream().filter(p -> !p.fidos().isEmpty()).forEach(p -> ids.add(p.id()));
    return ids;
  }

  private static Purchase purchase(HistoryReceipt receipt) {
    List<String> fidos = new ArrayList<>();
    receipt.items().stream()
        .map(HistoryReceiptItem::fido)
        .filter(f -> !f.isEmpty())
        .forEach(fidos::add);
    return new Purchase(receipt.receiptId(), receipt.retailerId(), fidos);
  }
}
