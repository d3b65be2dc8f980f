package io.consumergraph.model;

/**
 * The graph changes for one user, as the Neo4j sink applies them.
 *
 * <p>A live update ({@code fullLoad = false}) adds the contribution of its purchases once: a
 * purchase id already recorded on a relationship is a no-op. A full load ({@code fullLoad = true})
 * carries the user's history from {@code windowStartMs} on and replaces exactly that window of the
 * user's SHOPS_IN / SHOPS_AT aggregates with these purchases: ids recorded with a purchase time
 * before the window stay. PURCHASED stays purchase-id de-duplicated either way.
 *
 * @param windowStartMs for a full load, the start of the window it loaded ({@link Long#MIN_VALUE}:
 *     the whole history); unused by live updates
 */
public record GraphUpdate(
    String userId,
    boolean fullLoad,
    long updatedAtMs,
    EnrichedPurchase[] purchases,
    long windowStartMs) {

  public static GraphUpdate live(EnrichedPurchase purchase, long nowMs) {
    return new GraphUpdate(
        purchase.userId(), false, nowMs, new EnrichedPurchase[] {purchase}, Long.MIN_VALUE);
  }

  /** A full load of the window from {@code windowStartMs} on. */
  public static GraphUpdate fullLoad(
      String userId, long nowMs, long windowStartMs, EnrichedPurchase[] purchases) {
    return new GraphUpdate(userId, true, nowMs, purchases, windowStartMs);
  }
}
