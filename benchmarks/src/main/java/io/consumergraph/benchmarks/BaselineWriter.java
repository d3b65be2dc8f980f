package io.consumergraph.benchmarks;

import io.consumergraph.model.Product;
import io.consumergraph.simulator.CatalogRetailer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;

/**
 * The reference the design measures against (DESIGN "Performance targets", BUILD-NOTES): a
 * hand-written single-writer loop, one managed transaction per ~2,000 item rows, each running one
 * UNWIND over the chunk's item rows and one over its receipts, writing the same graph contract as
 * the sink (PURCHASED with receipt-id dedup, SHOPS_AT, SHOPS_IN, IN_CATEGORY, nodes). No
 * pre-aggregation, no per-row subqueries: plain MERGE and SET, one row at a time.
 */
final class BaselineWriter {

  static final List<String> CONSTRAINTS =
      List.of(
          "CREATE CONSTRAINT user_user_id IF NOT EXISTS FOR (n:User) REQUIRE n.user_id IS UNIQUE",
          "CREATE CONSTRAINT product_product_id IF NOT EXISTS"
              + " FOR (n:Product) REQUIRE n.product_id IS UNIQUE",
          "CREATE CONSTRAINT retailer_retailer_id IF NOT EXISTS"
              + " FOR (n:Retailer) REQUIRE n.retailer_id IS UNIQUE",
          "CREATE CONSTRAINT category_category_id IF NOT EXISTS"
              + " FOR (n:Category) REQUIRE n.category_id IS UNIQUE");

  /** One row per receipt item. A receipt id already on an edge leaves it unchanged. */
  static final String ITEMS =
      """
      UNWIND $rows AS row
      MERGE (u:User {user_id: row.user_id})
      SET u.last_updated_at = datetime({epochMillis: row.updated_at})
      MERGE (p:Product {product_id: row.product_id})
      SET p.name = row.name, p.brand = row.brand,
          p.category_id = coalesce(row.category_id, p.category_id),
          p.category_hierarchy = coalesce(row.hierarchy, p.category_hierarchy)
      MERGE (u)-[r:PURCHASED]->(p)
      WITH u, p, r, row, row.receipt_id IN coalesce(r.receipt_ids, []) AS seen
      SET r.receipt_ids = CASE WHEN seen THEN r.receipt_ids
                               ELSE coalesce(r.receipt_ids, []) + row.receipt_id END,
          r.timestamps = CASE WHEN seen THEN r.timestamps
                              ELSE coalesce(r.timestamps, []) + datetime({epochMillis: row.ts}) END
      WITH u, p, r, row,
           reduce(lo = null, t IN r.timestamps | CASE WHEN lo IS NULL OR t < lo THEN t ELSE lo END) AS first,
           reduce(hi = null, t IN r.timestamps | CASE WHEN hi IS NULL OR t > hi THEN t ELSE hi END) AS last
      SET r.times = size(r.receipt_ids), r.last = last,
          r.avg_interval_days = CASE WHEN size(r.receipt_ids) < 2 THEN 0.0
              ELSE (last.epochMillis - first.epochMillis) / 86400000.0 / (size(r.receipt_ids) - 1) END,
          r.repurchase_likelihood = CASE WHEN size(r.receipt_ids) < 2 THEN 0.0
              ELSE toFloat(size(r.receipt_ids) - 1) / size(r.receipt_ids) END
      WITH u, p, row WHERE row.category_id IS NOT NULL
      MERGE (c:Category {category_id: row.category_id})
      SET c.hierarchy = row.hierarchy
      MERGE (p)-[:IN_CATEGORY]->(c)
      MERGE (u)-[s:SHOPS_IN]->(c)
      SET s.receipt_ids = CASE WHEN row.receipt_id IN coalesce(s.receipt_ids, []) THEN s.receipt_ids
                               ELSE coalesce(s.receipt_ids, []) + row.receipt_id END
      SET s.purchase_count = size(s.receipt_ids)
      """;

  /** One row per receipt. */
  static final String RECEIPTS =
      """
      UNWIND $rows AS row
      MERGE (u:User {user_id: row.user_id})
      MERGE (x:Retailer {retailer_id: row.retailer_id})
      SET x.name = row.name, x.store_type = row.store_type
      MERGE (u)-[s:SHOPS_AT]->(x)
      SET s.receipt_ids = CASE WHEN row.receipt_id IN coalesce(s.receipt_ids, []) THEN s.receipt_ids
                               ELSE coalesce(s.receipt_ids, []) + row.receipt_id END
      SET s.frequency = size(s.receipt_ids)
      """;

  private BaselineWriter() {}

  static void createConstraints(Driver driver) {
    try (Session session = driver.session()) {
      for (String constraint : CONSTRAINTS) {
        session.run(constraint).consume();
      }
    }
  }

  /** Writes every delivery, {@code chunkRows} item rows per transaction. */
  static void write(Driver driver, SyntheticReceipts data, int chunkRows, long nowMs) {
    Map<String, Product> products = new HashMap<>();
    List<Map<String, Object>> items = new ArrayList<>();
    List<Map<String, Object>> receipts = new ArrayList<>();
    // The statement reads each edge's ids before it appends (Cypher plans an Eager there), so a
    // receipt sent twice within one chunk would look new twice: the loop skips in-chunk repeats.
    Set<String> inChunk = new HashSet<>();
    try (Session session = driver.session()) {
      for (SyntheticReceipts.Receipt r : data.deliveries()) {
        if (!inChunk.add(r.receiptId())) {
          continue;
        }
        CatalogRetailer retailer = data.catalog().retailer(r.retailerId());
        Map<String, Object> receipt = new HashMap<>();
        receipt.put("user_id", r.userId());
        receipt.put("retailer_id", retailer.retailerId());
        receipt.put("name", retailer.name());
        receipt.put("store_type", retailer.storeType());
        receipt.put("receipt_id", r.receiptId());
        receipts.add(receipt);
        for (String fido : r.fidos()) {
          Product p = products.computeIfAbsent(fido, data::product);
          Map<String, Object> item = new HashMap<>();
          item.put("user_id", r.userId());
          item.put("updated_at", nowMs);
          item.put("product_id", fido);
          item.put("name", p.name());
          item.put("brand", p.brand());
          item.put("category_id", p.hasCategory() ? p.categoryId() : null);
          item.put("hierarchy", p.hasCategory() ? Arrays.asList(p.categoryHierarchy()) : null);
          item.put("receipt_id", r.receiptId());
          item.put("ts", r.purchaseTimeMs());
          items.add(item);
        }
        if (items.size() >= chunkRows) {
          flush(session, items, receipts);
          inChunk.clear();
        }
      }
      flush(session, items, receipts);
    }
  }

  private static void flush(
      Session session, List<Map<String, Object>> items, List<Map<String, Object>> receipts) {
    if (receipts.isEmpty()) {
      return;
    }
    List<Map<String, Object>> itemRows = List.copyOf(items);
    List<Map<String, Object>> receiptRows = List.copyOf(receipts);
    session.executeWriteWithoutResult(
        tx -> {
          tx.run(ITEMS, Map.of("rows", itemRows)).consume();
          tx.run(RECEIPTS, Map.of("rows", receiptRows)).consume();
        });
    items.clear();
    receipts.clear();
  }
}
