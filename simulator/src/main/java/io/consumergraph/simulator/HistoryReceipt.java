package io.consumergraph.simulator;

import java.util.List;

/** A scanned receipt as the simulated Purchase History API returns it. */
public record HistoryReceipt(
    String receiptId,
    String userId,
    long purchaseTimeMs,
    String retailerId,
    String storeName,
    List<HistoryReceiptItem> items) {}
