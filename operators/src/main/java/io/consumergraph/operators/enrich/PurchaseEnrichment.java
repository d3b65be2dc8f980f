package io.consumergraph.operators.enrich;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.Product;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.model.Retailer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a purchase event plus the products and retailer found for it into an {@link
 * EnrichedPurchase}; shared by the live enrichment and the user history load so both write the same
 * graph for the same purchase.
 */
public final class PurchaseEnrichment {

  private PurchaseEnrichment() {}

  /**
   * The purchase with the metadata found upstream; products and retailers the services do not know
   * fall back to what the event itself carries.
   *
   * @param found products by FIDO; unknown FIDOs are simply absent
   * @param retailer the retailer service's answer, or null when it had none
   * @param complete whether every upstream call succeeded
   */
  public static EnrichedPurchase enrich(
      PurchaseEvent event, Map<String, Product> found, Retailer retailer, boolean complete) {
    Map<String, PurchasedItem> itemsByFido = distinctItems(event);
    List<Product> products = new ArrayList<>(itemsByFido.size());
    for (PurchasedItem item : itemsByFido.values()) {
      Product product = found.get(item.fido());
      products.add(product != null ? withFallbacks(product, item) : fromItem(item));
    }
    if (retailer == null && !event.retailerId().isEmpty()) {
      retailer = new Retailer(event.retailerId(), event.retailerName(), "");
    }
    return new EnrichedPurchase(
        event.userId(),
        event.purchaseId(),
        event.channel(),
        event.origin(),
        event.purchaseTimeMs(),
        retailer,
        products.toArray(Product[]::new),
        complete);
  }

  /** The purchase with only the metadata its own event carries, marked incomplete. */
  public static EnrichedPurchase unenriched(PurchaseEvent event) {
    return enrich(event, Map.of(), null, false);
  }

  /** The event's items by FIDO, first occurrence kept, in event order. */
  public static Map<String, PurchasedItem> distinctItems(PurchaseEvent event) {
    Map<String, PurchasedItem> byFido = new LinkedHashMap<>();
    for (PurchasedItem item : event.items()) {
      byFido.putIfAbsent(item.fido(), item);
    }
    return byFido;
  }

  private static Product fromItem(PurchasedItem item) {
    return new Product(
        item.fido(), nonNull(item.description()), nonNull(item.brand()), "", new String[0]);
  }

  private static Product withFallbacks(Product product, PurchasedItem item) {
    boolean noName = product.name() == null || product.name().isEmpty();
    boolean noBrand = product.brand() == null || product.brand().isEmpty();
    if (!noName && !noBrand) {
      return product;
    }
    return new Product(
        product.productId(),
        noName ? nonNull(item.description()) : product.name(),
        noBrand ? nonNull(item.brand()) : product.brand(),
        product.categoryId(),
        product.categoryHierarchy());
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
