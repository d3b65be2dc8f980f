package io.consumergraph.simulator;

import java.util.List;

/**
 * A category of the simulated category service.
 *
 * @param hierarchy category ids from the root to this category (inclusive)
 */
public record CatalogCategory(String categoryId, String name, List<String> hierarchy) {}
