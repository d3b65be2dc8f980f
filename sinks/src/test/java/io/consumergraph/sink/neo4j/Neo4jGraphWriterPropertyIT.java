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
 * checkpoint flush, timer) must leave exactly what an independent oracle computes.
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

  @Provide
  Arbitrary<Scenario> scenarios() {
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
    return spec.list()
        .ofMinSize(1)
        .ofMaxSize(8)
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
    List<EnrichedPurchase> pool = new ArrayList<>();
    for (int i = 0; i < scenario.pool().size(); i++) {
      pool.add(toPurchase("p" + i, scenario.pool().get(i)));
    }
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
