package io.consumergraph.sink.neo4j;

import io.consumergraph.model.Channel;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.Origin;
import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;

/** Test data: short constructors for purchases and graph updates. */
final class Purchases {

  static final long DAY_MS = 86_400_000L;
  static final long T0 = 1_750_000_000_000L;

  private Purchases() {}

  static Product product(String id, String categoryId) {
    String[] hierarchy =
        categoryId.isEmpty()
            ? new String[0]
            : new String[] {"root", "mid-" + categoryId, categoryId};
    return new Product(id, "name-" + id, "brand-" + id, categoryId, hierarchy);
  }

  static Retailer retailer(String id) {
    return new Retailer(id, "store-" + id, "grocery");
  }

  static EnrichedPurchase purchase(
      String userId, String purchaseId, long timeMs, Retailer retailer, Product... products) {
    return new EnrichedPurchase(
        userId,
        purchaseId,
        Channel.RECEIPT,
        Origin.RECEIPT_STREAM,
        timeMs,
        retailer,
        products,
        true);
  }

  static GraphUpdate live(EnrichedPurchase purchase) {
    return GraphUpdate.live(purchase, purchase.purchaseTimeMs() + 1000);
  }

  static GraphUpdate fullLoad(String userId, long nowMs, EnrichedPurchase... purchases) {
    return GraphUpdate.fullLoad(userId, nowMs, Long.MIN_VALUE, purchases);
  }

  /** A full load of the window from {@code fromMs} on. */
  static GraphUpdate fullLoadFrom(
      String userId, long fromMs, long nowMs, EnrichedPurchase... purchases) {
    return GraphUpdate.fullLoad(userId, nowMs, fromMs, purchases);
  }
}
