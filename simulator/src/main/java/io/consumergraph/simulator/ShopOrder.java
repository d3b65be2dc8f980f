package io.consumergraph.simulator;

import java.util.List;

/** A shop order as the simulated Button Transaction Service (BTS) describes it. */
public record ShopOrder(
    String buttonOrderId,
    String userId,
    String retailerId,
    String retailerName,
    String status,
    long createdAtMs,
    List<ShopOrderLineItem> lineItems) {}
