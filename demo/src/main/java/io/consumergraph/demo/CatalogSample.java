package io.consumergraph.demo;

import io.consumergraph.simulator.SyntheticCatalog;
import java.util.function.IntFunction;

/** The known products and retailers a synthetic stream draws from. */
record CatalogSample(
    IntFunction<String> fido, int products, IntFunction<String> retailerId, int retailers) {

  static CatalogSample of(SyntheticCatalog catalog) {
    return new CatalogSample(
        catalog::fido, catalog.productCount(), catalog::retailerId, catalog.retailerCount());
  }
}
