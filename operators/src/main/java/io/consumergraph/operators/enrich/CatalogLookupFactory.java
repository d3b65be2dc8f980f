package io.consumergraph.operators.enrich;

import java.io.Serializable;

/** Creates a {@link CatalogLookup} on the task manager, where its HTTP clients live. */
@FunctionalInterface
public interface CatalogLookupFactory extends Serializable {

  CatalogLookup create();
}
