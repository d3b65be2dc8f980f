package io.consumergraph.benchmarks;

import io.consumergraph.simulator.CatalogProduct;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * Graph figures a variant must reproduce exactly: node and relationship counts and the sums of the
 * aggregates. The expected figures are computed from the distinct receipts, not by any writer, so a
 * fast variant that double-counts or drops something is caught.
 */
final class GraphCheck {

  private GraphCheck() {}

  static Map<String, Long> expected(SyntheticReceipts data) {
    Set<String> receipts = new HashSet<>();
    Set<String> users = new HashSet<>();
    Set<String> products = new HashSet<>();
    Set<String> retailers = new HashSet<>();
    Set<String> categories = new HashSet<>();
    Set<String> purchased = new HashSet<>();
    Set<String> purchases = new HashSet<>();
    Set<String> shopsAt = new HashSet<>();
    Set<String> shopsIn = new HashSet<>();
    Set<String> shopsInReceipts = new HashSet<>();
    Set<String> inCategory = new HashSet<>();
    for (SyntheticReceipts.Receipt r : data.deliveries()) {
      if (!receipts.add(r.receiptId())) {
        continue;
      }
      users.add(r.userId());
      retailers.add(r.retailerId());
      shopsAt.add(r.userId() + "|" + r.retailerId());
      for (String fido : r.fidos()) {
        products.add(fido);
        purchased.add(r.userId() + "|" + fido);
        purchases.add(r.userId() + "|" + fido + "|" + r.receiptId());
        CatalogProduct p = data.catalog().product(fido);
        if (p.hasCategory()) {
          categories.add(p.categoryId());
          inCategory.add(fido);
          shopsIn.add(r.userId() + "|" + p.categoryId());
          shopsInReceipts.add(r.userId() + "|" + p.categoryId() + "|" + r.receiptId());
        }
      }
    }
    Map<String, Long> figures = new LinkedHashMap<>();
    figures.put("User", (long) users.size());
    figures.put("Product", (long) products.size());
    figures.put("Retailer", (long) retailers.size());
    figures.put("Category", (long) categories.size());
    figures.put("PURCHASED", (long) purchased.size());
    figures.put("sum(times)", (long) purchases.size());
    figures.put("SHOPS_AT", (long) shopsAt.size());
    figures.put("sum(frequency)", (long) receipts.size());
    figures.put("SHOPS_IN", (long) shopsIn.size());
    figures.put("sum(purchase_count)", (long) shopsInReceipts.size());
    figures.put("IN_CATEGORY", (long) inCategory.size());
    figures.put("bad PURCHASED", 0L);
    return figures;
  }

  static Map<String, Long> actual(Driver driver) {
    Map<String, Long> figures = new LinkedHashMap<>();
    for (String label : List.of("User", "Product", "Retailer", "Category")) {
      figures.put(label, one(driver, "MATCH (n:" + label + ") RETURN count(n)"));
    }
    figures.put("PURCHASED", one(driver, "MATCH ()-[r:PURCHASED]->() RETURN count(r)"));
    figures.put("sum(times)", one(driver, "MATCH ()-[r:PURCHASED]->() RETURN sum(r.times)"));
    figures.put("SHOPS_AT", one(driver, "MATCH ()-[r:SHOPS_AT]->() RETURN count(r)"));
    figures.put("sum(frequency)", one(driver, "MATCH ()-[r:SHOPS_AT]->() RETURN sum(r.frequency)"));
    figures.put("SHOPS_IN", one(driver, "MATCH ()-[r:SHOPS_IN]->() RETURN count(r)"));
    figures.put(
        "sum(purchase_count)",
        one(driver, "MATCH ()-[r:SHOPS_IN]->() RETURN sum(r.purchase_count)"));
    figures.put("IN_CATEGORY", one(driver, "MATCH ()-[r:IN_CATEGORY]->() RETURN count(r)"));
    // The PURCHASED invariants the sums alone would not catch.
    figures.put(
        "bad PURCHASED",
        one(
            driver,
            "MATCH ()-[r:PURCHASED]->() WHERE r.times <> size(r.receipt_ids)"
                + " OR size(r.timestamps) <> r.times OR r.last IS NULL RETURN count(r)"));
    return figures;
  }

  private static long one(Driver driver, String cypher) {
    try (Session session = driver.session()) {
      Record record = session.run(cypher).single();
      return record.get(0).isNull() ? 0 : record.get(0).asLong();
    }
  }

  /**
   * Empties the graph in small transactions (one big delete would need a lot of heap): the
   * relationships first, then the nodes. A node's DETACH DELETE takes all its relationships into
   * the same transaction, and a product bought by thousands of users would take them all in one.
   */
  static void clear(Driver driver) {
    try (Session session = driver.session()) {
      session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 5000 ROWS").consume();
      session.run("MATCH (n) CALL (n) { DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume();
    }
  }
}
