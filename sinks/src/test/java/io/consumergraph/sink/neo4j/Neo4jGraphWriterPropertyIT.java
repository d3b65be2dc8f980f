package io.consumergraph.sink.neo4j;

import static io.consumergraph.sink.neo4j.Purchases.DAY_MS;
import static io.consumergraph.sink.neo4j.Purchases.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.Product;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Random sequences of live updates, with repeats, cut into batches at random (row threshold,
 * checkpoint flush, timer) must leave exactly what an independent oracle computes; so must random
 * mixes of live updates and FullLoads of random windows, which write a user new to the graph with
 * CREATE and one already there with MERGE.
 */
class Neo4jGraphWriterPropertyIT {

  /** Product → leaf category; "" = FPS has none. Fixed per product, as FPS answers. */
  private static final Map<String, String> CATEGORY_OF =
      Map.of("f1", "c1", "f2", "c1", "f3", "c2", "f4", "", "f5", "c3");

  /** A purchase of the pool: delivering it twice is a duplicate, not a second purchase. */
  record Spec(String user, String retailer, List<String> products, int day) {}

  /** 0 = keep buffering, 1 = checkpoint flush, 2 = the batch timer fires. */
  record Delivery(int purchase, int boundary) {}

  record Scenario(List<Spec> pool, List<Delivery> deliveries, int batchRows) {}

  /** Pools of 1 to 8 purchases of three users, four retailers (one "none") and five products. */
  private static Arbitrary<List<Spec>> pools() {
    Arbitrary<Spec> spec =
        Combinators.combine(
                Arbitraries.of("u1", "u2", "u3"),
                Arbitraries.of("", "s1", "s2", "s3"),
                Arbitraries.of("f1", "f2", "f3", "f4", "f5")
                    .list()
                    .ofMinSize(1)
                    .ofMaxSize(3)
                    .uniqueElements(),
                Arbitraries.integers().between(0, 30))
            .as(Spec::new);
    return spec.list().ofMinSize(1).ofMaxSize(8);
  }

  @Provide
  Arbitrary<Scenario> scenarios() {
    return pools()
        .flatMap(
            pool -> {
              Arbitrary<Delivery> delivery =
                  Combinators.combine(
                          Arbitraries.integers().between(0, pool.size() - 1),
                          Arbitraries.frequency(Tuple.of(6, 0), Tuple.of(1, 1), Tuple.of(1, 2)))
                      .as(Delivery::new);
              return Combinators.combine(
                      delivery.list().ofMinSize(1).ofMaxSize(25),
                      Arbitraries.integers().between(1, 8))
                  .as((deliveries, batchRows) -> new Scenario(pool, deliveries, batchRows));
            });
  }

  @Property(tries = 30)
  void liveUpdatesWithRepeatsAcrossRandomBatchesMatchTheOracle(
      @ForAll("scenarios") Scenario scenario) throws Exception {
    TestNeo4j.clear();
    List<EnrichedPurchase> pool = purchases(scenario.pool());
    ManualProcessingTimeService time = new ManualProcessingTimeService();
    List<EnrichedPurchase> delivered = new ArrayList<>();
    Neo4jGraphWriter writer =
        new Neo4jGraphWriter(
            TestNeo4j.config().withBatchRows(scenario.batchRows()),
            time,
            UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
            RejectedUpdates.failing().open());
    try {
      for (Delivery delivery : scenario.deliveries()) {
        EnrichedPurchase purchase = pool.get(delivery.purchase());
        writer.write(Purchases.live(purchase), null);
        delivered.add(purchase);
        if (delivery.boundary() == 1) {
          writer.flush(false);
        } else if (delivery.boundary() == 2) {
          time.advance(Neo4jSinkConfig.DEFAULT_MAX_BATCH_DELAY.toMillis());
        }
      }
      writer.flush(true);
    } finally {
      writer.close();
    }

    assertThat(GraphSnapshot.read()).isEqualTo(GraphSnapshot.expected(delivered));
  }

  /**
   * A live delivery of a pool purchase, or a FullLoad of {@code user} from {@code windowDay} (-1:
   * the whole history) carrying those of {@code carried} that are the user's and inside the window.
   */
  record Event(boolean fullLoad, int purchase, String user, int windowDay, List<Integer> carried) {}

  record MixedScenario(
      List<Spec> pool, List<Event> events, List<Integer> boundaries, int batchRows) {}

  @Provide
  Arbitrary<MixedScenario> mixedScenarios() {
    return pools()
        .flatMap(
            pool -> {
              Arbitrary<Integer> index = Arbitraries.integers().between(0, pool.size() - 1);
              Arbitrary<Event> live = index.map(i -> new Event(false, i, null, 0, List.of()));
              Arbitrary<Event> fullLoad =
                  Combinators.combine(
                          Arbitraries.of("u1", "u2", "u3"),
                          Arbitraries.integers().between(-1, 30),
                          index.list().ofMaxSize(pool.size()).uniqueElements())
                      .as((user, day, carried) -> new Event(true, -1, user, day, carried));
              Arbitrary<Event> event =
                  Arbitraries.frequencyOf(Tuple.of(3, live), Tuple.of(2, fullLoad));
              return event
                  .list()
                  .ofMinSize(1)
                  .ofMaxSize(16)
                  .flatMap(
                      events ->
                          Combinators.combine(
                                  Arbitraries.frequency(Tuple.of(5, 0), Tuple.of(2, 1))
                                      .list()
                                      .ofSize(events.size()),
                                  Arbitraries.integers().between(1, 12))
                              .as(
                                  (boundaries, batchRows) ->
                                      new MixedScenario(pool, events, boundaries, batchRows)));
            });
  }

  @Property(tries = 30)
  void fullLoadsAndLiveUpdatesOfNewAndKnownUsersMatchTheOracle(
      @ForAll("mixedScenarios") MixedScenario scenario) throws Exception {
    TestNeo4j.clear();
    List<EnrichedPurchase> pool = purchases(scenario.pool());
    Oracle oracle = new Oracle();
    ManualProcessingTimeService time = new ManualProcessingTimeService();
    Neo4jGraphWriter writer =
        new Neo4jGraphWriter(
            TestNeo4j.config().withBatchRows(scenario.batchRows()),
            time,
            UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
            RejectedUpdates.failing().open());
    try {
      for (int i = 0; i < scenario.events().size(); i++) {
        Event event = scenario.events().get(i);
        if (event.fullLoad()) {
          long windowStart =
              event.windowDay() < 0 ? Long.MIN_VALUE : T0 + event.windowDay() * DAY_MS;
          EnrichedPurchase[] carried =
              event.carried().stream()
                  .map(pool::get)
                  .filter(p -> p.userId().equals(event.user()) && p.purchaseTimeMs() >= windowStart)
                  .toArray(EnrichedPurchase[]::new);
          writer.write(
              Purchases.fullLoadFrom(event.user(), windowStart, T0 + 40 * DAY_MS + i, carried),
              null);
          oracle.fullLoad(event.user(), windowStart, carried);
        } else {
          EnrichedPurchase purchase = pool.get(event.purchase());
          writer.write(Purchases.live(purchase), null);
          oracle.add(purchase);
        }
        if (scenario.boundaries().get(i) == 1) {
          writer.flush(false);
        }
      }
      writer.flush(true);
    } finally {
      writer.close();
    }

    assertThat(GraphSnapshot.read()).isEqualTo(oracle.snapshot());
  }

  /**
   * The enrollment lane's reorderings (FullLoadMerger): a user's updates reach Neo4j through two
   * writers, so a live update can be written after a later FullLoad of its user. The merger puts
   * every live purchase of the user it remembers into the FullLoad, and FullLoads of one user stay
   * in order (the load coordinator). Under those two rules, delaying live updates past any later
   * updates must leave the graph the merger's order leaves.
   */
  @Property(tries = 25)
  void liveUpdatesWrittenAfterALaterFullLoadOfTheirUserLeaveTheInOrderGraph(
      @ForAll("mixedScenarios") MixedScenario scenario, @ForAll("delays") List<Integer> delays)
      throws Exception {
    List<EnrichedPurchase> pool = purchases(scenario.pool());
    // The merger's order: each FullLoad carries the live purchases of its user so far.
    List<io.consumergraph.model.GraphUpdate> inOrder = new ArrayList<>();
    Map<String, List<EnrichedPurchase>> livesOf = new java.util.HashMap<>();
    for (int i = 0; i < scenario.events().size(); i++) {
      Event event = scenario.events().get(i);
      if (event.fullLoad()) {
        long windowStart = event.windowDay() < 0 ? Long.MIN_VALUE : T0 + event.windowDay() * DAY_MS;
        Map<String, EnrichedPurchase> carried = new java.util.LinkedHashMap<>();
        event.carried().stream()
            .map(pool::get)
            .filter(p -> p.userId().equals(event.user()) && p.purchaseTimeMs() >= windowStart)
            .forEach(p -> carried.put(p.purchaseId(), p));
        livesOf
            .getOrDefault(event.user(), List.of())
            .forEach(p -> carried.putIfAbsent(p.purchaseId(), p));
        inOrder.add(
            Purchases.fullLoadFrom(
                event.user(),
                windowStart,
                T0 + 40 * DAY_MS + i,
                carried.values().toArray(EnrichedPurchase[]::new)));
      } else {
        EnrichedPurchase purchase = pool.get(event.purchase());
        livesOf.computeIfAbsent(purchase.userId(), u -> new ArrayList<>()).add(purchase);
        inOrder.add(Purchases.live(purchase));
      }
    }
    // Another order: each live update moved later by its delay, everything else in order.
    List<double[]> keyed = new ArrayList<>();
    for (int i = 0; i < inOrder.size(); i++) {
      boolean live = !inOrder.get(i).fullLoad();
      int delay = live ? delays.get(i % delays.size()) : 0;
      keyed.add(new double[] {i + delay + (live ? 0.5 : 0), i});
    }
    keyed.sort(java.util.Comparator.comparingDouble(k -> k[0]));
    List<io.consumergraph.model.GraphUpdate> reordered = new ArrayList<>();
    keyed.forEach(k -> reordered.add(inOrder.get((int) k[1])));

    GraphSnapshot expected = write(inOrder, scenario.batchRows());
    assertThat(write(reordered, scenario.batchRows())).isEqualTo(expected);
  }

  @Provide
  Arbitrary<List<Integer>> delays() {
    return Arbitraries.integers().between(0, 6).list().ofMinSize(1).ofMaxSize(16);
  }

  /** The graph after {@code updates}, written by one writer with a flush at the end. */
  private static GraphSnapshot write(
      List<io.consumergraph.model.GraphUpdate> updates, int batchRows) throws Exception {
    TestNeo4j.clear();
    Neo4jGraphWriter writer =
        new Neo4jGraphWriter(
            TestNeo4j.config().withBatchRows(batchRows),
            new ManualProcessingTimeService(),
            UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
            RejectedUpdates.failing().open());
    try {
      for (io.consumergraph.model.GraphUpdate update : updates) {
        writer.write(update, null);
      }
      writer.flush(true);
    } finally {
      writer.close();
    }
    return GraphSnapshot.read();
  }

  /**
   * The graph contract applied one update at a time: PURCHASED only ever gains ids; a FullLoad
   * drops from the user's SHOPS_AT / SHOPS_IN every id of its window (purchase time at or after its
   * start), then adds what it carries; an aggregate left without ids is gone.
   */
  private static final class Oracle {
    final Map<String, Map<String, Long>> purchased = new java.util.TreeMap<>();
    final Map<String, Map<String, Long>> shopsAt = new java.util.TreeMap<>();
    final Map<String, Map<String, Long>> shopsIn = new java.util.TreeMap<>();

    void add(EnrichedPurchase p) {
      if (p.retailer() != null) {
        shopsAt
            .computeIfAbsent(
                p.userId() + "|" + p.retailer().retailerId(), k -> new java.util.HashMap<>())
            .put(p.purchaseId(), p.purchaseTimeMs());
      }
      for (Product product : p.products()) {
        purchased
            .computeIfAbsent(
                p.userId() + "|" + product.productId(), k -> new java.util.LinkedHashMap<>())
            .putIfAbsent(p.purchaseId(), p.purchaseTimeMs());
        if (!product.categoryId().isEmpty()) {
          shopsIn
              .computeIfAbsent(
                  p.userId() + "|" + product.categoryId(), k -> new java.util.HashMap<>())
              .put(p.purchaseId(), p.purchaseTimeMs());
        }
      }
    }

    void fullLoad(String user, long windowStart, EnrichedPurchase[] carried) {
      for (Map<String, Map<String, Long>> aggregates : List.of(shopsAt, shopsIn)) {
        aggregates.forEach(
            (key, ids) -> {
              if (key.startsWith(user + "|")) {
                ids.values().removeIf(t -> t >= windowStart);
              }
            });
        aggregates.values().removeIf(Map::isEmpty);
      }
      for (EnrichedPurchase p : carried) {
        add(p);
      }
    }

    GraphSnapshot snapshot() {
      Map<String, java.util.Set<String>> at = new java.util.TreeMap<>();
      shopsAt.forEach((k, ids) -> at.put(k, new java.util.TreeSet<>(ids.keySet())));
      Map<String, java.util.Set<String>> in = new java.util.TreeMap<>();
      shopsIn.forEach((k, ids) -> in.put(k, new java.util.TreeSet<>(ids.keySet())));
      return new GraphSnapshot(purchased, at, in);
    }
  }

  /** The pool's purchases, with ids p0, p1, … */
  private static List<EnrichedPurchase> purchases(List<Spec> specs) {
    List<EnrichedPurchase> pool = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      pool.add(toPurchase("p" + i, specs.get(i)));
    }
    return pool;
  }

  private static EnrichedPurchase toPurchase(String id, Spec spec) {
    Product[] products =
        spec.products().stream()
            .map(f -> Purchases.product(f, CATEGORY_OF.get(f)))
            .toArray(Product[]::new);
    return Purchases.purchase(
        spec.user(),
        id,
        T0 + spec.day() * DAY_MS,
        spec.retailer().isEmpty() ? null : Purchases.retailer(spec.retailer()),
        products);
  }
}
