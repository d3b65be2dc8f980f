package io.consumergraph.model;

/**
 * The graph changes for one user, as the Neo4j sink applies them.
 *
 * <p>A live update ({@code fullLoad = false}) adds the contribution of its purchases once: a
 * purchase id already recorded on a relationship is a no-op. A full load ({@code fullLoad = true})
 * carries the user's whole history and replaces the user's SHOPS_IN / SHOPS_AT aggregates with the
 * totals of exactly these purchases; PURCHASED stays purchase-id de-duplicated either way.
 */
public record GraphUpdate(
    String userId, boolean fullLoad, long updatedAtMs, EnrichedPurchase[] purchases) {

  public static GraphUpdate live(EnrichedPurchase purchase, long nowMs) {
    return new GraphUpdate(purchase.userId(), false, nowMs, new EnrichedPurchase[] {purchase});
  }
}
