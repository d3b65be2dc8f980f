package io.consumergraph.simulator;

/**
 * One item of a {@link HistoryReceipt}.
 *
 * @param fido the matched product, empty when the receipt pipeline could not match the item (about
 *     10% of items, as real receipts have them)
 */
public record HistoryReceiptItem(
    String fido, String description, String brand, double quantity, double price) {}
