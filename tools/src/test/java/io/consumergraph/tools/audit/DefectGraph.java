package io.consumergraph.tools.audit;

import io.consumergraph.sink.neo4j.JobCypher;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * A small graph with known defects on top of clean data. The clean part, and every edge before it
 * is broken, is written by the job's own Cypher; each defect is then one parameterised SET. Each
 * broken edge has a clean twin (same ids and times, another user) that shows what a repair must
 * give back.
 */
public final class DefectGraph {

  /** Timestamps after this are in the future: pass it as {@code --now}. */
  public static final String NOW = "2026-06-01T00:00:00Z";

  static final long T1 = ms("2026-01-10T10:00:00Z");
  static final long T2 = ms("2026-02-14T12:30:00Z");
  static final long T3 = ms("2026-03-01T08:00:00Z");
  static final long T4 = ms("2026-03-20T18:45:00Z");
  static final long T5 = ms("2026-04-02T09:15:00Z");
  static final long T6 = ms("2026-05-05T20:00:00Z");
  static final long FUTURE = ms("2026-07-01T00:00:00Z");

  private final Driver driver;

  public DefectGraph(Driver driver) {
    this.driver = driver;
  }

  static long ms(String iso) {
    return Instant.parse(iso).toEpochMilli();
  }

  static ZonedDateTime dt(long ms) {
    return Instant.ofEpochMilli(ms).atZone(ZoneOffset.UTC);
  }

  /** Empties the graph and writes the seeded one; {@code bulk} more duplicated PURCHASED edges. */
  public void seed(int bulk) {
    run("MATCH (n) DETACH DELETE n", Map.of());
    JobCypher.CONSTRAINTS.forEach(c -> run(c, Map.of()));

    List<String> users =
        new ArrayList<>(
            List.of(
                "u-clean1",
                "u-clean2",
                "u-dup",
                "u-count",
                "u-mis",
                "u-last",
                "u-future",
                "u-legacy",
                "u-legacy2",
                "u-orphan"));
    for (int i = 0; i < bulk; i++) {
      users.add("u-bulk-" + i);
    }
    rows(
        JobCypher.MERGE_USERS,
        users.stream().map(u -> Map.<String, Object>of("user_id", u, "updated_at", T6)).toList());
    rows(
        JobCypher.MERGE_CATEGORIES,
        List.of(
            Map.of("category_id", "c1", "hierarchy", List.of("root", "c1")), category("c-orphan")));
    rows(
        JobCypher.MERGE_PRODUCTS,
        List.of(
            product("p1", "c1", List.of("root", "c1")),
            product("p2", null, null),
            product("p3", null, null),
            product("p-orphan", "c1", null)));
    rows(
        JobCypher.MERGE_RETAILERS,
        List.of(Map.of("retailer_id", "r1"), Map.of("retailer_id", "r-orphan")));
    rows(
        JobCypher.LINK_PRODUCT_CATEGORIES,
        List.of(
            Map.of("product_id", "p1", "category_id", "c1"),
            Map.of("product_id", "p-orphan", "category_id", "c1")));

    List<Map<String, Object>> purchases = new ArrayList<>();
    // clean twins of the edges broken below
    purchases.add(purchase("u-clean1", "p1", List.of("a", "b"), List.of(T1, T2)));
    purchases.add(purchase("u-clean1", "p2", List.of("x", "y"), List.of(T3, T4)));
    purchases.add(purchase("u-clean2", "p1", List.of("c"), List.of(T1)));
    purchases.add(purchase("u-clean2", "p3", List.of("l1", "l2"), List.of(T1, T2)));
    // to be broken
    purchases.add(purchase("u-dup", "p1", List.of("a", "b"), List.of(T1, T2)));
    purchases.add(purchase("u-dup", "p2", List.of("x", "y"), List.of(T3, T4)));
    purchases.add(purchase("u-count", "p1", List.of("c"), List.of(T1)));
    purchases.add(purchase("u-mis", "p2", List.of("m1", "m2"), List.of(T1, T2)));
    purchases.add(purchase("u-last", "p3", List.of("l1", "l2"), List.of(T1, T2)));
    purchases.add(purchase("u-future", "p3", List.of("f1"), List.of(FUTURE)));
    for (int i = 0; i < bulk; i++) {
      purchases.add(purchase("u-bulk-" + i, "p1", List.of("a", "b"), List.of(T1, T2)));
    }
    rows(JobCypher.MERGE_PURCHASED, purchases);

    rows(
        JobCypher.MERGE_SHOPS_AT,
        List.of(
            aggregate("u-clean1", "retailer_id", "r1", List.of("a", "b"), List.of(T1, T2)),
            aggregate("u-dup", "retailer_id", "r1", List.of("a", "b"), List.of(T1, T2)),
            aggregate("u-future", "retailer_id", "r1", List.of("f1"), List.of(FUTURE))));
    rows(
        JobCypher.MERGE_SHOPS_IN,
        List.of(
            aggregate("u-clean1", "category_id", "c1", List.of("a", "b"), List.of(T1, T2)),
            aggregate("u-count", "category_id", "c1", List.of("c"), List.of(T1)),
            aggregate("u-mis", "category_id", "c1", List.of("m1", "m2"), List.of(T1, T2))));

    // the defects
    breakEdge(
        "PURCHASED",
        "u-dup",
        "p1",
        Map.of(
            "receipt_ids", List.of("a", "b", "a"),
            "timestamps", List.of(dt(T1), dt(T2), dt(T1)),
            "times", 3));
    breakEdge(
        "PURCHASED",
        "u-dup",
        "p2",
        Map.of(
            "receipt_ids", List.of("x", "y", "x", "x"),
            "timestamps", List.of(dt(T3), dt(T4), dt(T5), dt(T6)),
            "times", 4,
            "last", dt(T6)));
    breakEdge("PURCHASED", "u-count", "p1", Map.of("times", 5));
    breakEdge("PURCHASED", "u-mis", "p2", Map.of("timestamps", List.of(dt(T1)), "last", dt(T1)));
    breakEdge("PURCHASED", "u-last", "p3", Map.of("last", dt(T1)));
    for (int i = 0; i < bulk; i++) {
      breakEdge(
          "PURCHASED",
          "u-bulk-" + i,
          "p1",
          Map.of(
              "receipt_ids", List.of("a", "a", "b"),
              "timestamps", List.of(dt(T1), dt(T3), dt(T2)),
              "times", 3,
              "last", dt(T3)));
    }
    breakEdge(
        "SHOPS_AT",
        "u-dup",
        "r1",
        Map.of(
            "receipt_ids", List.of("a", "b", "a"),
            "timestamps", List.of(T1, T2, T1),
            "frequency", 3));
    breakEdge("SHOPS_IN", "u-count", "c1", Map.of("purchase_count", 2));
    breakEdge("SHOPS_IN", "u-mis", "c1", Map.of("timestamps", List.of(T1)));

    // legacy counts of the previous worker: no ids
    legacy("SHOPS_AT", "u-legacy", "Retailer", "retailer_id", "r1", "frequency", 4);
    legacy("SHOPS_IN", "u-legacy", "Category", "category_id", "c1", "purchase_count", 3);
    legacy("SHOPS_AT", "u-legacy2", "Retailer", "retailer_id", "r1", "frequency", 1);
    // adopted half-way: the job counts live purchases on from the legacy count (6 = 5 + 1)
    run(
        "MATCH (u:User {user_id: 'u-legacy2'}) CREATE (u)-[:SHOPS_AT {receipt_ids: ['l1'],"
            + " timestamps: [$t], legacy_count: 5, frequency: 6}]->(:Retailer {retailer_id:"
            + " 'r-adopted'})",
        Map.of("t", T1));
  }

  /** Every relationship's properties by {@code user|TYPE|target}. */
  public Map<String, Map<String, Object>> edges() {
    try (Session session = driver.session()) {
      Map<String, Map<String, Object>> all = new HashMap<>();
      for (Record r :
          session
              .run(
                  "MATCH (a)-[r]->(b) RETURN coalesce(a.user_id, a.product_id) AS a, type(r) AS t,"
                      + " coalesce(b.product_id, b.retailer_id, b.category_id) AS b,"
                      + " properties(r) AS p")
              .list()) {
        all.put(
            r.get("a").asString() + "|" + r.get("t").asString() + "|" + r.get("b").asString(),
            r.get("p").asMap());
      }
      return all;
    }
  }

  public void run(String query, Map<String, Object> params) {
    try (Session session = driver.session()) {
      session.executeWrite(tx -> tx.run(query, params).consume());
    }
  }

  public void rows(String query, List<? extends Map<String, ?>> rows) {
    run(query, Map.of("rows", rows));
  }

  private void breakEdge(String type, String user, String target, Map<String, Object> props) {
    run(
        "MATCH (:User {user_id: $user})-[r:"
            + type
            + "]->(x) WHERE coalesce(x.product_id, x.retailer_id, x.category_id) = $target"
            + " SET r += $props",
        Map.of("user", user, "target", target, "props", props));
  }

  private void legacy(
      String type, String user, String label, String key, String target, String count, int n) {
    run(
        "MATCH (u:User {user_id: $user}) MATCH (x:"
            + label
            + " {"
            + key
            + ": $target}) CREATE (u)-[r:"
            + type
            + "]->(x) SET r."
            + count
            + " = $n",
        Map.of("user", user, "target", target, "n", n));
  }

  static Map<String, Object> category(String id) {
    Map<String, Object> row = new HashMap<>();
    row.put("category_id", id);
    row.put("hierarchy", null);
    return row;
  }

  static Map<String, Object> product(String id, String categoryId, List<String> hierarchy) {
    Map<String, Object> row = new HashMap<>();
    row.put("product_id", id);
    row.put("name", "name of " + id);
    row.put("brand", null);
    row.put("category_id", categoryId);
    row.put("category_hierarchy", hierarchy);
    return row;
  }

  static Map<String, Object> purchase(
      String user, String product, List<String> ids, List<Long> times) {
    return Map.of("user_id", user, "product_id", product, "receipt_ids", ids, "timestamps", times);
  }

  static Map<String, Object> aggregate(
      String user, String key, String target, List<String> ids, List<Long> times) {
    return Map.of(
        "user_id",
        user,
        key,
        target,
        "receipt_ids",
        ids,
        "timestamps",
        times,
        "replace",
        false,
        "window_start",
        0L);
  }
}
