package io.consumergraph.simulator;

/**
 * A product as the simulated FIDO product service (FPS) knows it.
 *
 * @param categoryId leaf category id, empty for the ~53% of products FPS has no category for
 * @param price the usual shelf price, used for receipt items
 */
public record CatalogProduct(
    String fido, String name, String brand, String categoryId, double price) {

  public boolean hasCategory() {
    return !categoryId.isEmpty();
  }
}
