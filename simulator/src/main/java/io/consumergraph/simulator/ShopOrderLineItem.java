package io.consumergraph.simulator;

/** One line item of a {@link ShopOrder}; shop line items always carry a FIDO. */
public record ShopOrderLineItem(
    String fido, String name, String brand, double quantity, double price) {}
