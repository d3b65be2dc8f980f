package io.consumergraph.simulator.service;

import com.fasterxml.jackson.databind.node.ArrayNode;

/**
 * An item of a Purchase History receipt or of a BTS shop order: the two APIs render it alike but
 * for the key of its text ({@code description}, {@code name}).
 */
final class ItemJson {

  private ItemJson() {}

  static void add(
      ArrayNode items,
      String fido,
      String textKey,
      String text,
      String brand,
      double quantity,
      double price) {
    items
        .addObject()
        .put("fido", fido)
        .put(textKey, text)
        .put("brand", brand)
        .put("quantity", quantity)
        .put("price", price);
  }
}
