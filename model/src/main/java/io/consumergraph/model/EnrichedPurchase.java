package io.consumergraph.model;

/**
 * A purchase with its products and retailer resolved by the upstream services.
 *
 * @param products one entry per distinct FIDO of the purchase
 * @param retailer null when the purchase names no retailer
 * @param enrichmentComplete false when an upstream call failed and some metadata is missing; the
 *     purchase itself is still exact
 */
public record EnrichedPurchase(
    String userId,
    String purchaseId,
    Channel channel,
    Origin origin,
    long purchaseTimeMs,
    Retailer retailer,
    Product[] products,
    boolean enrichmentComplete) {}
