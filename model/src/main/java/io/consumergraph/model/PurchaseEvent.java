package io.consumergraph.model;

/**
 * A decoded, filtered purchase from any input: a FINISHED physical receipt or a finalized shop
 * order. Only items with a FIDO are kept; an event always has at least one.
 *
 * @param purchaseId receipt id, or the shop order's summaryID (= BTS buttonOrderId)
 * @param retailerId retailer id from the store, may be empty
 * @param retailerName store or retailer name as the event gives it, may be empty
 */
public record PurchaseEvent(
    String userId,
    String purchaseId,
    Channel channel,
    Origin origin,
    long purchaseTimeMs,
    String retailerId,
    String retailerName,
    PurchasedItem[] items) {}
