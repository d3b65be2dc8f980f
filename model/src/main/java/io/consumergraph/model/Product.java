package io.consumergraph.model;

/**
 * A product as the product service (FPS) and the category service describe it.
 *
 * @param productId the FIDO
 * @param categoryId leaf category id; empty when FPS has none
 * @param categoryHierarchy category ids from the root to the leaf; empty when unknown
 */
public record Product(
    String productId, String name, String brand, String categoryId, String[] categoryHierarchy) {

  public boolean hasCategory() {
    return categoryId != null && !categoryId.isEmpty();
  }
}
