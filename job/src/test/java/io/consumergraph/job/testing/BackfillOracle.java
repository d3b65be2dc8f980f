package io.consumergraph.job.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.HistoryReceiptItem;
import io.consumergraph.simulator.ShopOrder;
import io.consumergraph.simulator.ShopOrderLineItem;
import io.consumergraph.simulator.SyntheticCatalog;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * What a user's graph must be after a backfill, computed from the simulator's catalog alone (plain
 * Java, no pipeline code), and what Neo4j holds: the oracle of the backfill tests.
 */
public final class BackfillOracle {

  private static final long DAY = 86_400_000L;

  private final SyntheticCatalog catalog;
  private final EmbeddedNeo4j neo4j;
  private final long nowMs;

  /** {@code nowMs}: the simulator's and the requests' "now", so both see one 365-day window. */
  public BackfillOracle(SyntheticCatalog catalog, EmbeddedNeo4j neo4j, long nowMs) {
    this.catalog = catalog;
    this.neo4j = neo4j;
    this.nowMs = nowMs;
  }

  /** The first {@code n} users named {@code prefix}N with receipts and 1–20 shop orders. */
  public List<String> usersWithReceiptsAndShopOrders(String prefix, int n) {
    List<String> users = new ArrayList<>();
    for (int i = 0; users.size() < n; i++) {
      String user = prefix + i;
      int orders = shopOrders(user).size();
      if (!receipts(user).isEmpty() && orders > 0 && orders <= 20) {
        users.add(user);
      }
    }
    return users;
  }

  public List<HistoryReceipt> receipts(String user) {
    return catalog.receiptsFor(user, nowMs - 365 * DAY, nowMs);
  }

  public List<ShopOrder> shopOrders(String user) {
    return catalog.shopOrdersFor(user, nowMs - 365 * DAY, nowMs);
  }

  /** The purchase ids the user's 365-day history contributes to the graph. */
  public Set<String> expectedIds(String user) {
    Set<String> ids = new HashSet<>();
    receipts(user).stream()
        .filter(r -> r.items().stream().anyMatch(i -> !i.fido().isEmpty()))
        .forEach(r -> ids.add(r.receiptId()));
    shopOrders(user).stream()
        .filter(o -> o.lineItems().stream().anyMatch(i -> !i.fido().isEmpty()))
        .forEach(o -> ids.add(o.buttonOrderId()));
    return ids;
  }

  /** A purchase as the graph must count it: its id, retailer and matched products. */
  public record Purchase(String id, String retailerId, List<String> fidos) {}

  /** The user's 365-day history (receipts and shop orders) as purchases. */
  public List<Purchase> history(String user) {
    List<Purchase> history = new ArrayList<>();
    for (HistoryReceipt r : receipts(user)) {
      history.add(
          new Purchase(
              r.receiptId(),
              r.retailerId(),
              r.items().stream().map(HistoryReceiptItem::fido).filter(f -> !f.isEmpty()).toList()));
    }
    for (ShopOrder o : shopOrders(user)) {
      history.add(
          new Purchase(
              o.buttonOrderId(),
              o.retailerId(),
              o.lineItems().stream()
                  .map(ShopOrderLineItem::fido)
                  .filter(f -> !f.isEmpty())
                  .toList()));
    }
    return history;
  }

  /** A live receipt of {@code EmbeddedStack.liveReceipt}: retailer 0, product 1. */
  public Purchase liveAtRetailerZero(String id) {
    return new Purchase(id, catalog.retailerId(0), List.of(catalog.fido(1)));
  }

  /**
   * SHOPS_AT and SHOPS_IN equal the distinct purchases per retailer / category of the history plus
   * {@code liveIds} (live receipts at retailer 0 of product 1), and every PURCHASED edge counts
   * each id once.
   */
  public void assertAggregatesMatch(String user, Set<String> liveIds) {
    List<Purchase> purchases = history(user);
    liveIds.forEach(id -> purchases.add(liveAtRetailerZero(id)));
    assertAggregatesMatch(user, purchases);
  }

  /**
   * The user's graph counts exactly these purchases (repeats of an id count once): its PURCHASED
   * ids, SHOPS_AT per retailer, SHOPS_IN per category, and no id twice on an edge.
   */
  public void assertGraphIs(String user, Collection<Purchase> purchases) {
    Set<String> ids = new HashSet<>();
    purchases.stream().filter(p -> !p.fidos().isEmpty()).forEach(p -> ids.add(p.id()));
    assertThat(purchaseIds(user)).as("purchase ids of %s", user).isEqualTo(ids);
    assertAggregatesMatch(user, purchases);
  }

  private void assertAggregatesMatch(String user, Collection<Purchase> purchases) {
    Map<String, Set<String>> shopsAt = new TreeMap<>();
    Map<String, Set<String>> shopsIn = new TreeMap<>();
    for (Purchase p : purchases) {
      add(shopsAt, shopsIn, p.id(), p.retailerId(), p.fidos());
    }
    assertThat(
            counts(
                "MATCH (:User {user_id: $u})-[s:SHOPS_AT]->(r:Retailer) RETURN r.retailer_id AS k, s.frequency AS n",
                user))
        .as("SHOPS_AT of %s", user)
        .isEqualTo(sizes(shopsAt));
    assertThat(
            counts(
                "MATCH (:User {user_id: $u})-[s:SHOPS_IN]->(c:Category) RETURN c.category_id AS k, s.purchase_count AS n",
                user))
        .as("SHOPS_IN of %s", user)
        .isEqualTo(sizes(shopsIn));
    for (Record row :
        rows(
            "MATCH (:User {user_id: $u})-[r:PURCHASED]->() RETURN r.receipt_ids AS ids, r.times AS t",
            user)) {
      List<String> ids = row.get("ids").asList(v -> v.asString());
      assertThat(ids).doesNotHaveDuplicates();
      assertThat(row.get("t").asLong()).isEqualTo(ids.size());
    }
  }

  private void add(
      Map<String, Set<String>> shopsAt,
      Map<String, Set<String>> shopsIn,
      String id,
      String retailer,
      List<String> fidos) {
    if (fidos.isEmpty()) {
      return;
    }
    if (retailer != null && !retailer.isEmpty()) {
      shopsAt.computeIfAbsent(retailer, k -> new HashSet<>()).add(id);
    }
    for (String fido : fidos) {
      var product = catalog.product(fido);
      if (product != null && product.categoryId() != null && !product.categoryId().isEmpty()) {
        shopsIn.computeIfAbsent(product.categoryId(), k -> new HashSet<>()).add(id);
      }
    }
  }

  private static Map<String, Long> sizes(Map<String, Set<String>> sets) {
    Map<String, Long> out = new TreeMap<>();
    sets.forEach((k, v) -> out.put(k, (long) v.size()));
    return out;
  }

  /** The distinct purchase ids on the user's PURCHASED edges. */
  public Set<String> purchaseIds(String user) {
    Set<String> ids = new HashSet<>();
    for (Record row :
        rows(
            "MATCH (:User {user_id: $u})-[r:PURCHASED]->() UNWIND r.receipt_ids AS id RETURN DISTINCT id",
            user)) {
      ids.add(row.get("id").asString());
    }
    return ids;
  }

  /** Every relationship of the user with its properties, for before/after comparisons. */
  public Map<String, Object> graphOf(String user) {
    Map<String, Object> graph = new TreeMap<>();
    for (Record row :
        rows(
            "MATCH (u:User {user_id: $u})-[r]->(x) RETURN type(r) + '->' + coalesce(x.product_id, x.retailer_id, x.category_id) AS k, properties(r) AS p",
            user)) {
      graph.put(row.get("k").asString(), new TreeMap<>(row.get("p").asMap()).toString());
    }
    return graph;
  }

  private Map<String, Long> counts(String cypher, String user) {
    Map<String, Long> out = new TreeMap<>();
    for (Record row : rows(cypher, user)) {
      out.put(row.get("k").asString(), row.get("n").asLong());
    }
    return out;
  }

  /**
   * A managed read: the driver retries it when Neo4j answers a transient error, as it may when a
   * read meets the job's writes to the same edges ("read outdated data ... concurrent data
   * modification").
   */
  private List<Record> rows(String cypher, String user) {
    try (Session session = neo4j.driver().session()) {
      return session.executeRead(tx -> tx.run(cypher, Map.of("u", user)).list());
    }
  }
}
