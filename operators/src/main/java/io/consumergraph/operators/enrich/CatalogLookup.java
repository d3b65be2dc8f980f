package io.consumergraph.operators.enrich;

import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;
import io.consumergraph.upstream.ExchangeListener;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Product and retailer metadata as the enrichment step needs it; implemented over the upstream HTTP
 * clients. Calls are asynchronous and never block the caller.
 */
public interface CatalogLookup extends AutoCloseable {

  /** The products found for these FIDOs; unknown FIDOs are absent from the map. */
  CompletableFuture<Map<String, Product>> products(Collection<String> fidos);

  /** The retailer with this id, or empty when the retailer service does not know it. */
  CompletableFuture<Optional<Retailer>> retailer(String retailerId);

  /** Tells {@code listener} of every upstream exchange the lookup makes, for its metrics. */
  default void listen(ExchangeListener listener) {}

  @Override
  default void close() {}
}
