package io.consumergraph.upstream;

import java.util.List;

/**
 * A category as the category service describes it.
 *
 * @param hierarchy category ids from the root to this category
 */
public record Category(String categoryId, String name, List<String> hierarchy) {}
