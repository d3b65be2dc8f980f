package io.consumergraph.sink.neo4j;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.Product;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.neo4j.driver.Record;
import org.neo4j.driver.Value;

/**
 * The aggregate relationships of the graph in a comparable shape: {@code "user|product"} → purchase
 * id → time for PURCHASED, {@code "user|retailer"} / {@code "user|category"} → purchase ids for
 * SHOPS_AT / SHOPS_IN.
 */
record GraphSnapshot(
    Map<String, Map<String, Long>> purchased,
    Map<String, Set<String>> shopsAt,
    Map<String, Set<String>> shopsIn) {

  /**
   * Reads the graph, asserting each edge's internal consistency (invariant 1) and that no user has
   * two edges of a type to the same node on the way.
   */
  static GraphSnapshot read() {
    Map<String, Map<String, Long>> purchased = new TreeMap<>();
    for (Record r :
        TestNeo4j.query(
            "MATCH (u:User)-[r:PURCHASED]->(p:Product) RETURN u.user_id AS u, p.product_id AS p,"
                + " r.receipt_ids AS ids, r.timestamps AS ts, r.times AS times, r.last AS last")) {
      List<String> ids = r.get("ids").asList(Value::asString);
      List<Long> ts = r.get("ts").asList(v -> v.asZonedDateTime().toInstant().toEpochMilli());
      assertThat(ids).doesNotHaveDuplicates().hasSameSizeAs(ts);
      assertThat(r.get("times").asLong()).isEqualTo(ids.size());
      assertThat(r.get("last").asZonedDateTime().toInstant().toEpochMilli())
          .isEqualTo(ts.stream().mapToLong(Long::longValue).max().orElseThrow());
      Map<String, Long> byId = new LinkedHashMap<>();
      for (int i = 0; i < ids.size(); i++) {
        byId.put(ids.get(i), ts.get(i));
      }
      String key = r.get("u").asString() + "|" + r.get("p").asString();
      assertThat(purchased.put(key, byId)).as("a second PURCHASED edge %s", key).isNull();
    }
    return new GraphSnapshot(
        purchased,
        aggregates(
            "MATCH (u:User)-[r:SHOPS_AT]->(x:Retailer) RETURN u.user_id AS u,"
                + " x.retailer_id AS k, r.receipt_ids AS ids, r.frequency AS n"),
        aggregates(
            "MATCH (u:User)-[r:SHOPS_IN]->(c:Category) RETURN u.user_id AS u,"
                + " c.category_id AS k, r.receipt_ids AS ids, r.purchase_count AS n"));
  }

  private static Map<String, Set<String>> aggregates(String cypher) {
    Map<String, Set<String>> result = new TreeMap<>();
    for (Record r : TestNeo4j.query(cypher)) {
      List<String> ids = r.get("ids").asList(Value::asString);
      assertThat(ids).doesNotHaveDuplicates();
      assertThat(r.get("n").asLong()).isEqualTo(ids.size());
      String key = r.get("u").asString() + "|" + r.get("k").asString();
      assertThat(result.put(key, new TreeSet<>(ids))).as("a second edge %s", key).isNull();
    }
    return result;
  }

  /**
   * The oracle: what the graph must hold after the given live purchases were delivered (in any
   * batching, with any repeats), computed from the distinct purchases alone.
   */
  static GraphSnapshot expected(Collection<EnrichedPurchase> delivered) {
    Map<String, EnrichedPurchase> distinct = new LinkedHashMap<>();
    delivered.forEach(p -> distinct.putIfAbsent(p.purchaseId(), p));
    Map<String, Map<String, Long>> purchased = new TreeMap<>();
    Map<String, Set<String>> shopsAt = new TreeMap<>();
    Map<String, Set<String>> shopsIn = new TreeMap<>();
    for (EnrichedPurchase p : distinct.values()) {
      if (p.retailer() != null) {
        shopsAt
            .computeIfAbsent(p.userId() + "|" + p.retailer().retailerId(), k -> new TreeSet<>())
            .add(p.purchaseId());
      }
      Set<String> categories = new HashSet<>();
      for (Product product : p.products()) {
        purchased
            .computeIfAbsent(p.userId() + "|" + product.productId(), k -> new LinkedHashMap<>())
            .put(p.purchaseId(), p.purchaseTimeMs());
        if (!product.categoryId().isEmpty()) {
          categories.add(product.categoryId());
        }
      }
      for (String category : categories) {
        shopsIn
            .computeIfAbsent(p.userId() + "|" + category, k -> new TreeSet<>())
            .add(p.purchaseId());
      }
    }
    return new GraphSnapshot(purchased, shopsAt, shopsIn);
  }
}
