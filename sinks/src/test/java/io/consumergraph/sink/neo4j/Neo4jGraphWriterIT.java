package io.consumergraph.sink.neo4j;

import static io.consumergraph.sink.neo4j.Purchases.DAY_MS;
import static io.consumergraph.sink.neo4j.Purchases.T0;
import static io.consumergraph.sink.neo4j.Purchases.fullLoad;
import static io.consumergraph.sink.neo4j.Purchases.fullLoadFrom;
import static io.consumergraph.sink.neo4j.Purchases.live;
import static io.consumergraph.sink.neo4j.Purchases.product;
import static io.consumergraph.sink.neo4j.Purchases.purchase;
import static io.consumergraph.sink.neo4j.Purchases.retailer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.Value;

/** The writer driven directly against a real in-process Neo4j, with a manual clock. */
class Neo4jGraphWriterIT {

  private final ManualProcessingTimeService time = new ManualProcessingTimeService();
  private final List<Neo4jGraphWriter> writers = new ArrayList<>();
  private final CollectedRejections rejections = new CollectedRejections();

  @BeforeEach
  void clearGraph() {
    TestNeo4j.clear();
  }

  @AfterEach
  void closeWriters() {
    writers.forEach(Neo4jGraphWriter::close);
  }

  private Neo4jGraphWriter writer(Neo4jSinkConfig config) throws Exception {
    Neo4jGraphWriter writer =
        new Neo4jGraphWriter(
            config, time, UnregisteredMetricsGroup.createSinkWriterMetricGroup(), rejections);
    writers.add(writer);
    return writer;
  }

  private Neo4jGraphWriter writer() throws Exception {
    return writer(TestNeo4j.config());
  }

  /**
   * Starts a thread that write-locks the user's node in a transaction of its own and rolls it back
   * once {@code release} holds (checked every 10 ms, for 10 s at most: a test waiting longer fails
   * on its own assertions); returns once the lock is held.
   */
  private static Thread holdUserLock(String userId, BooleanSupplier release) throws Exception {
    CountDownLatch locked = new CountDownLatch(1);
    Thread holder =
        new Thread(
            () -> {
              try (Session session = TestNeo4j.server().driver().session();
                  Transaction tx = session.beginTransaction()) {
                tx.run("MATCH (u:User {user_id: $u}) SET u.held = true", Map.of("u", userId))
                    .consume();
                locked.countDown();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!release.getAsBoolean() && System.nanoTime() < deadline) {
                  Thread.sleep(10);
                }
                tx.rollback();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    holder.start();
    assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
    return holder;
  }

  private static void writeAll(Neo4jGraphWriter writer, GraphUpdate... updates) throws Exception {
    for (GraphUpdate update : updates) {
      writer.write(update, null);
    }
  }

  @Test
  void createsUniquenessConstraintsOnEveryNodeKeyAtStartup() throws Exception {
    writer();

    List<String> constraints =
        TestNeo4j.query(
                "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties"
                    + " WHERE type = 'UNIQUENESS'"
                    + " RETURN labelsOrTypes[0] + '.' + properties[0] AS key")
            .stream()
            .map(r -> r.get("key").asString())
            .toList();
    assertThat(constraints)
        .contains(
            "User.user_id", "Product.product_id", "Retailer.retailer_id", "Category.category_id");
    // A second writer (restart, parallel subtask) starts fine on the existing constraints.
    writer();
  }

  /**
   * Writers that start at once on a database without the constraints (the subtasks and the bulk and
   * enrolled sinks of a new deployment) create each constraint once: none deadlocks on the schema
   * and retries. Several rounds, as a race need not show in one.
   */
  @Test
  void writersStartingTogetherOnAnEmptySchemaNeedNoRetry() throws Exception {
    for (int round = 0; round < 3; round++) {
      GraphCypher.CONSTRAINTS_BY_NAME
          .keySet()
          .forEach(name -> TestNeo4j.run("DROP CONSTRAINT " + name + " IF EXISTS"));
      int starting = 4;
      CountDownLatch go = new CountDownLatch(1);
      List<CompletableFuture<Neo4jGraphWriter>> started = new ArrayList<>();
      for (int i = 0; i < starting; i++) {
        started.add(
            CompletableFuture.supplyAsync(
                () -> {
                  try {
                    go.await();
                    return new Neo4jGraphWriter(
                        TestNeo4j.config(),
                        time,
                        UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
                        rejections);
                  } catch (Exception e) {
                    throw new CompletionException(e);
                  }
                },
                Executors.newSingleThreadExecutor()));
      }
      go.countDown();
      for (CompletableFuture<Neo4jGraphWriter> writer : started) {
        writers.add(writer.get(60, TimeUnit.SECONDS));
      }

      assertThat(writers.stream().mapToLong(w -> w.metrics().retries.getCount()).sum())
          .as("retries of writers started together, round %d", round)
          .isZero();
      assertThat(
              TestNeo4j.query("SHOW CONSTRAINTS YIELD name").stream()
                  .map(r -> r.get("name").asString())
                  .toList())
          .containsAll(GraphCypher.CONSTRAINTS_BY_NAME.keySet());
    }
  }

  @Test
  void writesABatchOnceTheRowThresholdIsReached() throws Exception {
    Neo4jGraphWriter writer = writer(TestNeo4j.config().withBatchRows(5));
    // Two item rows each: the third update makes 6 >= 5 rows.
    writeAll(
        writer,
        live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"), product("f2", "c2"))),
        live(purchase("u1", "r2", T0, retailer("s1"), product("f1", "c1"), product("f3", ""))));
    assertThat(TestNeo4j.count("MATCH (n) RETURN count(n)")).isZero();

    writeAll(
        writer,
        live(purchase("u2", "r3", T0, retailer("s1"), product("f1", "c1"), product("f2", "c2"))));
    writer.awaitInFlight(); // committed in the background

    assertThat(TestNeo4j.count("MATCH (u:User) RETURN count(u)")).isEqualTo(2);
    assertThat(TestNeo4j.count("MATCH ()-[r:PURCHASED]->() RETURN count(r)")).isEqualTo(5);
    assertThat(writer.metrics().batches.getCount()).isEqualTo(1);
    assertThat(writer.metrics().updates.getCount()).isEqualTo(3);
  }

  @Test
  void writesABatchWhenMaxBatchDelayElapses() throws Exception {
    Neo4jGraphWriter writer = writer(TestNeo4j.config().withMaxBatchDelay(Duration.ofMillis(200)));
    writeAll(writer, live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));

    time.advance(199);
    assertThat(TestNeo4j.count("MATCH (n) RETURN count(n)")).isZero();

    time.advance(1);
    writer.awaitInFlight();
    assertThat(TestNeo4j.count("MATCH (:User)-[r:PURCHASED]->(:Product) RETURN count(r)"))
        .isEqualTo(1);
    assertThat(writer.metrics().batches.getCount()).isEqualTo(1);
    assertThat(time.pendingTimers()).isZero();
  }

  @Test
  void aFullBatchIsCommittedInTheBackgroundWhileTheTaskGoesOn() throws Exception {
    Neo4jGraphWriter writer = writer(TestNeo4j.config().withBatchRows(1));
    writeAll(writer, live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    AtomicBoolean release = new AtomicBoolean();
    Thread holder = holdUserLock("u1", release::get);
    try {
      // A full batch for the locked user: write hands it over and returns; Neo4j is blocked.
      writeAll(
          writer, live(purchase("u1", "r2", T0 + DAY_MS, retailer("s1"), product("f1", "c1"))));
      assertThat(writer.metrics().batches.getCount()).as("only the first batch committed").isOne();
    } finally {
      release.set(true);
      holder.join();
    }
    writer.flush(false);
    assertThat(writer.metrics().batches.getCount()).isEqualTo(2);
    assertThat(strings(purchased("u1", "f1").get("receipt_ids"))).containsExactly("r1", "r2");
  }

  @Test
  void aBatchThatFailsInTheBackgroundFailsTheNextWrite() throws Exception {
    // Without a destination for rejected updates, a constraint violation fails the writer.
    Neo4jGraphWriter writer =
        new Neo4jGraphWriter(
            TestNeo4j.config().withBatchRows(1),
            time,
            UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
            RejectedUpdates.failing().open());
    writers.add(writer);
    TestNeo4j.run(
        "CREATE CONSTRAINT retailer_name_bg IF NOT EXISTS"
            + " FOR (x:Retailer) REQUIRE x.name IS UNIQUE");
    try {
      writeAll(
          writer,
          live(purchase("u1", "r1", T0, new Retailer("s1", "Same", "g"), product("f1", "c1"))));
      writeAll(
          writer,
          live(purchase("u2", "r2", T0, new Retailer("s2", "Same", "g"), product("f1", "c1"))));
      assertThatThrownBy(
              () ->
                  writeAll(
                      writer, live(purchase("u3", "r3", T0, retailer("s3"), product("f1", "c1")))))
          .isInstanceOf(Neo4jSinkException.class)
          .hasMessageContaining("Neo.ClientError.Schema.ConstraintValidationFailed");
      assertThat(writer.metrics().failures.getCount()).isEqualTo(1);
    } finally {
      TestNeo4j.run("DROP CONSTRAINT retailer_name_bg IF EXISTS");
    }
  }

  @Test
  void updatesNeo4jCannotIndexAreSetAsideAndTheRestOfTheirBatchIsWritten() throws Exception {
    Neo4jGraphWriter writer = writer(TestNeo4j.config().withBatchRows(1_000));
    String hugeUser = "u-" + "x".repeat(10_000);
    String hugeFido = "f-" + "y".repeat(10_000);
    List<GraphUpdate> updates = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      updates.add(live(purchase("u" + i, "r" + i, T0 + i, retailer("s1"), product("f1", "c1"))));
    }
    updates.set(3, live(purchase(hugeUser, "r-huge", T0, retailer("s1"), product("f1", "c1"))));
    updates.set(
        17,
        live(
            purchase(
                "u17", "r17", T0, retailer("s1"), product("f1", "c1"), product(hugeFido, "c1"))));
    writeAll(writer, updates.toArray(GraphUpdate[]::new));

    writer.flush(false);

    assertThat(rejections.all())
        .extracting(r -> r.update().userId())
        .containsExactly(hugeUser, "u17");
    assertThat(rejections.all()).allSatisfy(r -> assertThat(r.error()).startsWith("Neo."));
    assertThat(rejections.flushed()).as("flushed before the checkpoint may complete").isEqualTo(2);
    assertThat(TestNeo4j.count("MATCH (u:User)-[:PURCHASED]->(:Product) RETURN count(DISTINCT u)"))
        .isEqualTo(18);
    assertThat(TestNeo4j.count("MATCH (u:User {user_id: 'u17'}) RETURN count(u)")).isZero();
    assertThat(TestNeo4j.count("MATCH (:User)-[s:SHOPS_AT]->(:Retailer) RETURN sum(s.frequency)"))
        .isEqualTo(18);
    assertThat(writer.metrics().rejectedUpdates.getCount()).isEqualTo(2);
    assertThat(writer.metrics().failures.getCount()).isZero();
    // Halving 20 updates down to the two at fault takes a handful of transactions, not twenty.
    assertThat(writer.metrics().isolationWrites.getCount()).isBetween(4L, 16L);

    // The writer goes on: the next batch is written whole.
    writeAll(writer, live(purchase("u1", "r-next", T0 + 99, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);
    assertThat(strings(purchased("u1", "f1").get("receipt_ids"))).containsExactly("r1", "r-next");
    assertThat(writer.metrics().rejectedUpdates.getCount()).isEqualTo(2);
  }

  @Test
  void aRejectedFullLoadIsSetAsideWithoutTouchingTheUsersGraph() throws Exception {
    Neo4jGraphWriter writer = writer(TestNeo4j.config().withBatchRows(1_000));
    writeAll(writer, live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);
    Retailer hugeRetailer = retailer("s-" + "z".repeat(10_000));

    writeAll(
        writer,
        fullLoad("u1", T0 + DAY_MS, purchase("u1", "r2", T0, hugeRetailer, product("f2", "c2"))),
        live(purchase("u2", "r3", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    assertThat(rejections.all()).extracting(r -> r.update().fullLoad()).containsExactly(true);
    // The full load's transaction rolled back whole: u1's live purchase is still there.
    assertThat(strings(purchased("u1", "f1").get("receipt_ids"))).containsExactly("r1");
    assertThat(TestNeo4j.count("MATCH (:User {user_id: 'u1'})-[r:PURCHASED]->() RETURN count(r)"))
        .isEqualTo(1);
    assertThat(strings(purchased("u2", "f1").get("receipt_ids"))).containsExactly("r3");
  }

  @Test
  void flushWritesEverythingBuffered() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(writer, live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    assertThat(TestNeo4j.count("MATCH (n) RETURN count(n)")).isZero();

    writer.flush(false);

    assertThat(TestNeo4j.count("MATCH (:User)-[r:PURCHASED]->(:Product) RETURN count(r)"))
        .isEqualTo(1);
    // A timer that fires after the checkpoint flush finds nothing to write.
    time.advance(1_000);
    assertThat(writer.metrics().batches.getCount()).isEqualTo(1);
  }

  @Test
  void purchasedFollowsTheContract() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(
        writer,
        live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))),
        live(purchase("u1", "r2", T0 + 4 * DAY_MS, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);
    writeAll(writer, live(purchase("u1", "r3", T0 + 2 * DAY_MS, null, product("f1", "c1"))));
    writer.flush(false);

    Record edge = purchased("u1", "f1");
    assertThat(strings(edge.get("receipt_ids"))).containsExactly("r1", "r2", "r3");
    assertThat(epochMillis(edge.get("timestamps")))
        .containsExactly(T0, T0 + 4 * DAY_MS, T0 + 2 * DAY_MS);
    assertThat(edge.get("times").asLong()).isEqualTo(3);
    assertThat(edge.get("last").asZonedDateTime().toInstant().toEpochMilli())
        .isEqualTo(T0 + 4 * DAY_MS);
    assertThat(edge.get("avg_interval_days").asDouble()).isCloseTo(2.0, within(1e-9));
    assertThat(edge.get("repurchase_likelihood").asDouble()).isCloseTo(2.0 / 3, within(1e-9));
    // r3 had no retailer: no SHOPS_AT for it, and SHOPS_IN still counts it.
    assertThat(shopsAt("u1")).containsExactly(Map.entry("s1", List.of("r1", "r2")));
    assertThat(shopsIn("u1")).containsExactly(Map.entry("c1", List.of("r1", "r2", "r3")));
  }

  @Test
  void singlePurchaseHasZeroIntervalAndLikelihood() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(writer, live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    Record edge = purchased("u1", "f1");
    assertThat(edge.get("times").asLong()).isEqualTo(1);
    assertThat(edge.get("avg_interval_days").asDouble()).isZero();
    assertThat(edge.get("repurchase_likelihood").asDouble()).isZero();
  }

  @Test
  void aPurchaseRepeatedWithinOneBatchCountsOnce() throws Exception {
    Neo4jGraphWriter writer = writer();
    var receipt =
        purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"), product("f2", "c1"));
    writeAll(writer, live(receipt), live(receipt), live(receipt));
    writer.flush(false);

    assertThat(strings(purchased("u1", "f1").get("receipt_ids"))).containsExactly("r1");
    assertThat(purchased("u1", "f1").get("times").asLong()).isEqualTo(1);
    assertThat(shopsAt("u1")).containsExactly(Map.entry("s1", List.of("r1")));
    assertThat(shopsIn("u1")).containsExactly(Map.entry("c1", List.of("r1")));
    assertThat(
            TestNeo4j.count(
                "MATCH (:User {user_id: 'u1'})-[r:SHOPS_AT]->() RETURN sum(r.frequency)"))
        .isEqualTo(1);
    assertThat(
            TestNeo4j.count(
                "MATCH (:User {user_id: 'u1'})-[r:SHOPS_IN]->() RETURN sum(r.purchase_count)"))
        .isEqualTo(1);
  }

  @Test
  void aPurchaseRepeatedAcrossBatchesCountsOnce() throws Exception {
    Neo4jGraphWriter writer = writer();
    var r1 = purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"));
    var r2 = purchase("u1", "r2", T0 + DAY_MS, retailer("s1"), product("f2", "c1"));
    for (int replay = 0; replay < 3; replay++) {
      writeAll(writer, live(r1), live(r2));
      writer.flush(false);
    }

    assertThat(strings(purchased("u1", "f1").get("receipt_ids"))).containsExactly("r1");
    assertThat(shopsAt("u1")).containsExactly(Map.entry("s1", List.of("r1", "r2")));
    assertThat(shopsIn("u1")).containsExactly(Map.entry("c1", List.of("r1", "r2")));
    assertThat(TestNeo4j.count("MATCH (:User {user_id: 'u1'})-[r:SHOPS_AT]->() RETURN r.frequency"))
        .isEqualTo(2);
    assertThat(
            TestNeo4j.count(
                "MATCH (:User {user_id: 'u1'})-[r:SHOPS_IN]->() RETURN r.purchase_count"))
        .isEqualTo(2);
  }

  @Test
  void anEmptyCategoryNeverOverwritesAndANewOneMovesInCategory() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(writer, live(purchase("u1", "r1", T0, null, product("f1", "c1"))));
    writer.flush(false);

    // FPS has no category this time: the product keeps c1.
    writeAll(writer, live(purchase("u1", "r2", T0, null, product("f1", ""))));
    writer.flush(false);
    assertThat(productCategory("f1")).containsExactly("c1", "root", "mid-c1", "c1");
    assertThat(inCategory("f1")).containsExactly("c1");

    // A different non-empty category replaces the old one and moves the edge.
    writeAll(writer, live(purchase("u1", "r3", T0, null, product("f1", "c2"))));
    writer.flush(false);
    assertThat(productCategory("f1")).containsExactly("c2", "root", "mid-c2", "c2");
    assertThat(inCategory("f1")).containsExactly("c2");
    assertThat(
            TestNeo4j.query("MATCH (c:Category {category_id: 'c2'}) RETURN c.hierarchy AS h")
                .get(0)
                .get("h")
                .asList(Value::asString))
        .containsExactly("root", "mid-c2", "c2");
  }

  @Test
  void nodeRowsThatChangeNothingAreNotSentButAChangedValueIsWritten() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(writer, live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);
    assertThat(writer.metrics().skippedRows.getCount()).isZero();

    // The same product, retailer and category again: their four rows are not sent.
    writeAll(writer, live(purchase("u1", "r2", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);
    // categories, products, retailers, in_category
    assertThat(writer.metrics().skippedRows.getCount()).isEqualTo(4);
    assertThat(purchased("u1", "f1").get("times").asInt()).isEqualTo(2);

    // A changed name is written; the unchanged brand and category stay.
    Product renamed = new Product("f1", "new name", "brand-f1", "c1", new String[] {"c1"});
    Retailer moved = new Retailer("s1", "store-s1", "pharmacy");
    writeAll(writer, live(purchase("u1", "r3", T0, moved, renamed)));
    writer.flush(false);
    assertThat(
            TestNeo4j.query(
                    "MATCH (p:Product {product_id: 'f1'}) RETURN p.name + '|' + p.brand AS v")
                .get(0)
                .get("v")
                .asString())
        .isEqualTo("new name|brand-f1");
    assertThat(
            TestNeo4j.query("MATCH (x:Retailer {retailer_id: 's1'}) RETURN x.store_type AS v")
                .get(0)
                .get("v")
                .asString())
        .isEqualTo("pharmacy");
    assertThat(productCategory("f1")).containsExactly("c1", "c1");
    assertThat(inCategory("f1")).containsExactly("c1");

    // Back to the first name: it differs from what this writer last wrote, so it is written.
    writeAll(writer, live(purchase("u1", "r4", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);
    assertThat(productCategory("f1")).containsExactly("c1", "root", "mid-c1", "c1");
    assertThat(
            TestNeo4j.query("MATCH (p:Product {product_id: 'f1'}) RETURN p.name AS v")
                .get(0)
                .get("v")
                .asString())
        .isEqualTo("name-f1");
  }

  @Test
  void theCategoryGuardHoldsWhenTheProductIsCachedAndARestartStartsWithAnEmptyCache()
      throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(writer, live(purchase("u1", "r1", T0, null, product("f1", "c1"))));
    writer.flush(false);
    // No category now: nothing to send (the guard would keep c1 anyway) and c1 stays known.
    writeAll(writer, live(purchase("u1", "r2", T0, null, product("f1", ""))));
    writer.flush(false);
    writeAll(writer, live(purchase("u1", "r3", T0, null, product("f1", "c1"))));
    writer.flush(false);
    assertThat(productCategory("f1")).containsExactly("c1", "root", "mid-c1", "c1");
    assertThat(inCategory("f1")).containsExactly("c1");

    // Someone else changed the graph; a restarted writer (empty cache) writes its values again.
    TestNeo4j.query("MATCH (p:Product {product_id: 'f1'})-[r:IN_CATEGORY]->() DELETE r");
    TestNeo4j.query("MATCH (p:Product {product_id: 'f1'}) SET p.name = 'other'");
    writer.close();
    writers.remove(writer);
    Neo4jGraphWriter restarted = writer();
    writeAll(restarted, live(purchase("u1", "r4", T0, null, product("f1", "c1"))));
    restarted.flush(false);
    assertThat(inCategory("f1")).containsExactly("c1");
    assertThat(
            TestNeo4j.query("MATCH (p:Product {product_id: 'f1'}) RETURN p.name AS v")
                .get(0)
                .get("v")
                .asString())
        .isEqualTo("name-f1");
  }

  @Test
  void twoWritersDeliveringTheSamePurchasesConcurrentlyCountEachOnce() throws Exception {
    // Parallel sink subtasks after a rescale or a replay can write the same new edges at once:
    // only one may create each edge (MERGE's ON CREATE path), deadlocks are retried, and every
    // count ends exact. A smoke test: the lost-update window the ON MATCH lock closes is too short
    // to hit reliably here (this test still passed with that lock removed from SHOPS_AT).
    for (int attempt = 0; attempt < 5; attempt++) {
      TestNeo4j.clear();
      List<EnrichedPurchase> pool = new ArrayList<>();
      for (int i = 0; i < 24; i++) {
        String[] products = {"f" + (i % 4), "f" + ((i + 1) % 4)};
        pool.add(
            purchase(
                "u" + (i % 3),
                "r" + i,
                T0 + i * DAY_MS,
                retailer("s" + (i % 2)),
                product(products[0], "c" + (i % 2)),
                product(products[1], "c" + (i % 2))));
      }
      List<EnrichedPurchase> reversed = new ArrayList<>(pool);
      java.util.Collections.reverse(reversed);
      CountDownLatch start = new CountDownLatch(1);
      List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Thread> threads = new ArrayList<>();
      for (List<EnrichedPurchase> order : List.of(pool, reversed)) {
        // Each writer its own clock: the manual one is not thread-safe.
        Neo4jGraphWriter writer =
            new Neo4jGraphWriter(
                TestNeo4j.config().withBatchRows(4).withMaxRetries(50),
                new ManualProcessingTimeService(),
                UnregisteredMetricsGroup.createSinkWriterMetricGroup(),
                rejections);
        writers.add(writer);
        threads.add(
            new Thread(
                () -> {
                  try {
                    start.await();
                    for (EnrichedPurchase purchase : order) {
                      // One fixed update time: last_updated_at then stops moving, so the users
                      // step does not write-lock the User node, which would serialise the two
                      // writers and hide a race on the relationships.
                      writer.write(GraphUpdate.live(purchase, T0), null);
                    }
                    writer.flush(true);
                  } catch (Throwable e) {
                    errors.add(e);
                  }
                }));
      }
      threads.forEach(Thread::start);
      start.countDown();
      for (Thread thread : threads) {
        thread.join(TimeUnit.MINUTES.toMillis(2));
      }
      assertThat(errors).isEmpty();
      assertThat(GraphSnapshot.read()).isEqualTo(GraphSnapshot.expected(pool));
    }
  }

  @Test
  void aUserNewToTheGraphIsCountedAndWrittenCompleteWithoutAMarkerLeftOnItsNode() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(
        writer,
        fullLoad(
            "u1",
            T0 + 10 * DAY_MS,
            purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"), product("f2", "")),
            purchase("u1", "r2", T0 + 2 * DAY_MS, retailer("s1"), product("f1", "c1"))),
        live(purchase("u2", "x1", T0, retailer("s2"), product("f2", "c2"))));
    writer.flush(false);
    assertThat(writer.metrics().newUsers.getCount()).isEqualTo(2);

    // Known users now: the same FullLoad again, and a live update, go through MERGE.
    writeAll(
        writer,
        fullLoad(
            "u1",
            T0 + 11 * DAY_MS,
            purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"), product("f2", "")),
            purchase("u1", "r2", T0 + 2 * DAY_MS, retailer("s1"), product("f1", "c1"))),
        live(purchase("u2", "x2", T0 + DAY_MS, retailer("s2"), product("f2", "c2"))));
    writer.flush(false);
    assertThat(writer.metrics().newUsers.getCount()).isEqualTo(2);

    Record f1 = purchased("u1", "f1");
    assertThat(strings(f1.get("receipt_ids"))).containsExactly("r1", "r2");
    assertThat(epochMillis(f1.get("timestamps"))).containsExactly(T0, T0 + 2 * DAY_MS);
    assertThat(f1.get("times").asLong()).isEqualTo(2);
    assertThat(f1.get("last").asZonedDateTime().toInstant().toEpochMilli())
        .isEqualTo(T0 + 2 * DAY_MS);
    assertThat(f1.get("avg_interval_days").asDouble()).isCloseTo(2.0, within(1e-9));
    assertThat(f1.get("repurchase_likelihood").asDouble()).isCloseTo(0.5, within(1e-9));
    assertThat(strings(purchased("u1", "f2").get("receipt_ids"))).containsExactly("r1");
    assertThat(shopsAt("u1")).containsExactly(Map.entry("s1", List.of("r1", "r2")));
    assertThat(shopsIn("u1")).containsExactly(Map.entry("c1", List.of("r1", "r2")));
    assertThat(shopsIn("u2")).containsExactly(Map.entry("c2", List.of("x1", "x2")));
    assertThat(TestNeo4j.count("MATCH (:User)-[r]->() RETURN count(r)")).isEqualTo(7);
    assertThat(TestNeo4j.count("MATCH (u:User) WHERE u.sink_created IS NOT NULL RETURN count(u)"))
        .isZero();
    assertThat(TestNeo4j.count("MATCH (u:User) WHERE u.last_updated_at IS NULL RETURN count(u)"))
        .isZero();
  }

  @Test
  void fullLoadReplacesAggregatesDeletesAbsentEdgesAndKeepsPurchasedIds() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(
        writer,
        live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))),
        live(purchase("u1", "r2", T0 + DAY_MS, retailer("s2"), product("f2", "c2"))),
        // Double-counted by an old writer would be repaired by the full load below.
        live(purchase("u2", "x1", T0, retailer("s2"), product("f2", "c2"))));
    writer.flush(false);

    writeAll(
        writer,
        fullLoad(
            "u1",
            T0 + 10 * DAY_MS,
            purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1")),
            purchase("u1", "r3", T0 + 2 * DAY_MS, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    assertThat(shopsAt("u1")).containsExactly(Map.entry("s1", List.of("r1", "r3")));
    assertThat(shopsIn("u1")).containsExactly(Map.entry("c1", List.of("r1", "r3")));
    assertThat(TestNeo4j.count("MATCH (:User {user_id: 'u1'})-[r:SHOPS_AT]->() RETURN r.frequency"))
        .isEqualTo(2);
    // PURCHASED is add-only: r2 stays although the full load did not mention it.
    assertThat(strings(purchased("u1", "f2").get("receipt_ids"))).containsExactly("r2");
    assertThat(strings(purchased("u1", "f1").get("receipt_ids"))).containsExactly("r1", "r3");
    // Other users are untouched.
    assertThat(shopsAt("u2")).containsExactly(Map.entry("s2", List.of("x1")));
    assertThat(
            TestNeo4j.query("MATCH (u:User {user_id: 'u1'}) RETURN u.last_updated_at AS at")
                .get(0)
                .get("at")
                .asZonedDateTime()
                .toInstant()
                .toEpochMilli())
        .isEqualTo(T0 + 10 * DAY_MS);
  }

  @Test
  void aLegacyCountIsKeptAndCountedOnUntilTheUsersFirstFullLoadReplacesIt() throws Exception {
    Neo4jGraphWriter writer = writer();
    // The previous worker's shape: SHOPS_AT / SHOPS_IN with a count and no ids.
    TestNeo4j.run(
        "CREATE (u:User {user_id: 'old'}),"
            + " (u)-[:SHOPS_AT {frequency: 7}]->(:Retailer {retailer_id: 's1'}),"
            + " (u)-[:SHOPS_AT {frequency: 4}]->(:Retailer {retailer_id: 's9'}),"
            + " (u)-[:SHOPS_IN {purchase_count: 5}]->(:Category {category_id: 'c1'})");

    writeAll(
        writer,
        live(purchase("old", "r1", T0, retailer("s1"), product("f1", "c1"))),
        live(purchase("old", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);
    writeAll(writer, live(purchase("old", "r2", T0 + DAY_MS, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    // Never lowered: the legacy count plus the purchases since, each once.
    assertThat(aggregate("SHOPS_AT", "s1", "frequency")).containsExactly(9L, 7L);
    assertThat(aggregate("SHOPS_IN", "c1", "purchase_count")).containsExactly(7L, 5L);
    assertThat(aggregate("SHOPS_AT", "s9", "frequency")).as("untouched").containsExactly(4L, null);
    assertThat(
            strings(
                TestNeo4j.query(
                        "MATCH (:User {user_id: 'old'})-[r:SHOPS_AT]->(:Retailer {retailer_id:"
                            + " 's1'}) RETURN r.receipt_ids AS ids")
                    .get(0)
                    .get("ids")))
        .containsExactly("r1", "r2");

    writeAll(
        writer,
        fullLoad(
            "old",
            T0 + 10 * DAY_MS,
            purchase("old", "r1", T0, retailer("s1"), product("f1", "c1")),
            purchase("old", "r3", T0 + 2 * DAY_MS, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    // The full load adopts the user: its history replaces counts of unknown times.
    assertThat(aggregate("SHOPS_AT", "s1", "frequency")).containsExactly(2L, null);
    assertThat(aggregate("SHOPS_IN", "c1", "purchase_count")).containsExactly(2L, null);
    assertThat(shopsAt("old")).containsExactly(Map.entry("s1", List.of("r1", "r3")));
  }

  /** The count and legacy_count of the user 'old''s edge to {@code key}, as a two-element list. */
  private static List<Long> aggregate(String type, String key, String count) {
    List<Record> rows =
        TestNeo4j.query(
            "MATCH (:User {user_id: 'old'})-[r:"
                + type
                + "]->(x) WHERE coalesce(x.retailer_id, x.category_id) = $k"
                + " RETURN r."
                + count
                + " AS n, r.legacy_count AS legacy",
            Map.of("k", key));
    assertThat(rows).hasSize(1);
    Value legacy = rows.get(0).get("legacy");
    return java.util.Arrays.asList(
        rows.get(0).get("n").asLong(), legacy.isNull() ? null : legacy.asLong());
  }

  @Test
  void aFullLoadReplacesOnlyTheWindowItLoadedAndKeepsWhatLiesBeforeIt() throws Exception {
    long from = T0 + 100 * DAY_MS; // a 30-day load requested at T0 + 130 days
    Neo4jGraphWriter writer = writer();
    writeAll(
        writer,
        // Before the window: kept, whatever the load says.
        live(purchase("u1", "last-year", T0, retailer("s1"), product("f1", "c1"))),
        live(purchase("u1", "only-old", T0 + DAY_MS, retailer("s3"), product("f3", "c3"))),
        // Inside the window but not in the load: the load's word is final.
        live(purchase("u1", "in-window", from + DAY_MS, retailer("s1"), product("f1", "c1"))),
        live(purchase("u1", "gone", from + 2 * DAY_MS, retailer("s2"), product("f2", "c2"))));
    writer.flush(false);

    writeAll(
        writer,
        fullLoadFrom(
            "u1",
            from,
            from + 30 * DAY_MS,
            purchase("u1", "loaded", from + 5 * DAY_MS, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    assertThat(shopsAt("u1"))
        .containsOnly(
            Map.entry("s1", List.of("last-year", "loaded")), Map.entry("s3", List.of("only-old")));
    assertThat(shopsIn("u1"))
        .containsOnly(
            Map.entry("c1", List.of("last-year", "loaded")), Map.entry("c3", List.of("only-old")));
    assertThat(
            TestNeo4j.count(
                "MATCH (:User {user_id: 'u1'})-[r:SHOPS_AT]->(:Retailer {retailer_id: 's1'})"
                    + " RETURN r.frequency"))
        .isEqualTo(2);
    assertThat(
            TestNeo4j.count(
                "MATCH (:User {user_id: 'u1'})-[r:SHOPS_IN]->(:Category {category_id: 'c1'})"
                    + " RETURN size(r.timestamps) - r.purchase_count"))
        .as("timestamps aligned with the ids")
        .isZero();

    // Within one batch too: a live purchase before the window survives a later full load.
    writeAll(
        writer,
        live(purchase("u2", "old", T0, retailer("s1"), product("f1", "c1"))),
        live(purchase("u2", "recent", from + DAY_MS, retailer("s1"), product("f1", "c1"))),
        fullLoadFrom("u2", from, from + 30 * DAY_MS));
    writer.flush(false);
    assertThat(shopsAt("u2")).containsOnly(Map.entry("s1", List.of("old")));
  }

  @Test
  void withinABatchAFullLoadResetsEarlierLiveUpdatesAndLaterOnesAddOnTop() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(
        writer,
        live(purchase("u1", "old", T0, retailer("s9"), product("f9", "c9"))),
        fullLoad("u1", T0, purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))),
        live(purchase("u1", "r2", T0 + DAY_MS, retailer("s2"), product("f2", "c1"))),
        live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    assertThat(shopsAt("u1"))
        .containsExactly(Map.entry("s1", List.of("r1")), Map.entry("s2", List.of("r2")));
    assertThat(shopsIn("u1")).containsExactly(Map.entry("c1", List.of("r1", "r2")));
    // PURCHASED is add-only even for the purchase the full load did not carry.
    assertThat(strings(purchased("u1", "f9").get("receipt_ids"))).containsExactly("old");
  }

  @Test
  void aTransientLockTimeoutIsRetriedUntilTheLockIsReleased() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(writer, live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(false);

    TestNeo4j.withShortLockTimeout(
        () -> {
          // Held until the writer has hit a lock timeout (300 ms) and retried, however late the
          // test thread gets to its write.
          Thread holder = holdUserLock("u1", () -> writer.metrics().retries.getCount() >= 1);

          writeAll(
              writer, live(purchase("u1", "r2", T0 + DAY_MS, retailer("s1"), product("f1", "c1"))));
          writer.flush(false);
          holder.join();
        });

    assertThat(writer.metrics().retries.getCount()).isPositive();
    assertThat(writer.metrics().failures.getCount()).isZero();
    assertThat(strings(purchased("u1", "f1").get("receipt_ids"))).containsExactly("r1", "r2");
  }

  @Test
  void retriesAreBoundedAndThenFailWithTheLastError() throws Exception {
    Neo4jGraphWriter writer =
        writer(
            TestNeo4j.config()
                .withMaxRetries(1)
                .withRetryBackoff(Duration.ofMillis(10), Duration.ofMillis(10)));
    writeAll(writer, live(purchase("u1", "r1", T0, null, product("f1", "c1"))));
    writer.flush(false);

    TestNeo4j.withShortLockTimeout(
        () -> {
          try (Session session = TestNeo4j.server().driver().session();
              Transaction tx = session.beginTransaction()) {
            tx.run("MATCH (u:User {user_id: 'u1'}) SET u.held = true").consume();

            writeAll(writer, live(purchase("u1", "r2", T0 + DAY_MS, null, product("f1", "c1"))));
            assertThatThrownBy(() -> writer.flush(false))
                .isInstanceOf(Neo4jSinkException.class)
                .hasMessageContaining("after 1 retries")
                .hasMessageContaining("Neo.TransientError");
            tx.rollback();
          }
        });
    assertThat(writer.metrics().retries.getCount()).isEqualTo(1);
    assertThat(writer.metrics().failures.getCount()).isEqualTo(1);
  }

  @Test
  void aServerThatCannotBeReachedIsRetriedForTheUnavailableTimeoutThenFailsClearly()
      throws Exception {
    int closedPort;
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    Neo4jSinkConfig unreachable =
        Neo4jSinkConfig.withoutAuth(java.net.URI.create("bolt://127.0.0.1:" + closedPort))
            .withUnavailableTimeout(Duration.ofMillis(1500));
    long started = System.nanoTime();

    assertThatThrownBy(() -> writer(unreachable))
        .isInstanceOf(Neo4jSinkException.class)
        .hasMessageContaining("could not be reached for PT1.5S")
        .hasMessageContaining("create constraints");
    // Retried with backoff for the whole timeout, not given up after the short transient budget.
    assertThat(Duration.ofNanos(System.nanoTime() - started))
        .isGreaterThan(Duration.ofMillis(1400));
  }

  @Test
  void aConstraintViolationSetsAsideOnlyTheUpdateThatBreaksIt() throws Exception {
    Neo4jGraphWriter writer = writer();
    // Someone added a constraint our data breaks: retrying cannot help, the rest can be written.
    TestNeo4j.run(
        "CREATE CONSTRAINT retailer_name_test IF NOT EXISTS"
            + " FOR (x:Retailer) REQUIRE x.name IS UNIQUE");
    try {
      writeAll(
          writer,
          live(purchase("u1", "r1", T0, new Retailer("s1", "Same", "g"), product("f1", "c1"))),
          live(purchase("u1", "r2", T0, new Retailer("s2", "Same", "g"), product("f1", "c1"))));

      writer.flush(false);

      assertThat(rejections.all())
          .extracting(r -> r.update().purchases()[0].purchaseId())
          .containsExactly("r2");
      assertThat(rejections.all().get(0).error())
          .startsWith("Neo.ClientError.Schema.ConstraintValidationFailed");
      assertThat(writer.metrics().retries.getCount()).isZero();
      assertThat(writer.metrics().failures.getCount()).isZero();
      assertThat(strings(purchased("u1", "f1").get("receipt_ids"))).containsExactly("r1");
      assertThat(TestNeo4j.count("MATCH (x:Retailer) RETURN count(x)")).isEqualTo(1);
    } finally {
      TestNeo4j.run("DROP CONSTRAINT retailer_name_test IF EXISTS");
    }
  }

  @Test
  void logOnlyWritesNothing() throws Exception {
    Neo4jGraphWriter writer = writer(TestNeo4j.config().withLogOnly(true));
    writeAll(writer, live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(true);

    assertThat(TestNeo4j.count("MATCH (n) RETURN count(n)")).isZero();
    assertThat(writer.metrics().batches.getCount()).isEqualTo(1);
  }

  @Test
  void metricsCountBatchesRowsAndUpdates() throws Exception {
    Neo4jGraphWriter writer = writer();
    writeAll(
        writer,
        live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))),
        live(purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"))));
    writer.flush(true);

    Neo4jSinkMetrics metrics = writer.metrics();
    assertThat(metrics.batches.getCount()).isEqualTo(1);
    assertThat(metrics.updates.getCount()).isEqualTo(2);
    // users, categories, products, retailers, in_category, purchased, shops_at, shops_in: one
    // row each after de-duplication.
    assertThat(metrics.rows.getCount()).isEqualTo(8);
    assertThat(metrics.failures.getCount()).isZero();
    assertThat(metrics.lastBatchMillis()).isNotNegative();
  }

  // --- reading the graph back

  static Record purchased(String userId, String productId) {
    List<Record> records =
        TestNeo4j.query(
            "MATCH (:User {user_id: $u})-[r:PURCHASED]->(:Product {product_id: $p})"
                + " RETURN r.receipt_ids AS receipt_ids, r.timestamps AS timestamps,"
                + " r.times AS times, r.last AS last, r.avg_interval_days AS avg_interval_days,"
                + " r.repurchase_likelihood AS repurchase_likelihood",
            Map.of("u", userId, "p", productId));
    assertThat(records).hasSize(1);
    return records.get(0);
  }

  /** Retailer id → receipt ids of the user's SHOPS_AT edges; also checks frequency. */
  static Map<String, List<String>> shopsAt(String userId) {
    return aggregate(
        "MATCH (:User {user_id: $u})-[r:SHOPS_AT]->(x:Retailer)"
            + " RETURN x.retailer_id AS id, r.receipt_ids AS ids, r.frequency AS n",
        userId);
  }

  /** Category id → receipt ids of the user's SHOPS_IN edges; also checks purchase_count. */
  static Map<String, List<String>> shopsIn(String userId) {
    return aggregate(
        "MATCH (:User {user_id: $u})-[r:SHOPS_IN]->(c:Category)"
            + " RETURN c.category_id AS id, r.receipt_ids AS ids, r.purchase_count AS n",
        userId);
  }

  private static Map<String, List<String>> aggregate(String cypher, String userId) {
    Map<String, List<String>> result = new TreeMap<>();
    for (Record record : TestNeo4j.query(cypher, Map.of("u", userId))) {
      List<String> ids = strings(record.get("ids"));
      assertThat(record.get("n").asLong()).isEqualTo(ids.size());
      result.put(record.get("id").asString(), ids);
    }
    return result;
  }

  private static List<String> productCategory(String productId) {
    Record record =
        TestNeo4j.query(
                "MATCH (p:Product {product_id: $p}) RETURN p.category_id AS id,"
                    + " p.category_hierarchy AS h",
                Map.of("p", productId))
            .get(0);
    List<String> result = new ArrayList<>();
    result.add(record.get("id").asString());
    result.addAll(strings(record.get("h")));
    return result;
  }

  private static List<String> inCategory(String productId) {
    return TestNeo4j.query(
            "MATCH (:Product {product_id: $p})-[:IN_CATEGORY]->(c:Category)"
                + " RETURN c.category_id AS id ORDER BY id",
            Map.of("p", productId))
        .stream()
        .map(r -> r.get("id").asString())
        .toList();
  }

  static List<String> strings(Value value) {
    return value.asList(Value::asString);
  }

  static List<Long> epochMillis(Value value) {
    return value.asList(v -> v.asZonedDateTime().toInstant().toEpochMilli());
  }
}
