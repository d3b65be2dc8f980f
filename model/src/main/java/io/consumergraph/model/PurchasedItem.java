package io.consumergraph.model;

/** One item of a purchase as the source event describes it, before enrichment. */
public record PurchasedItem(
    String fido, String description, String brand, double quantity, double price) {}
