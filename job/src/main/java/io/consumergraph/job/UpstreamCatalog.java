package io.consumergraph.job;

import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;
import io.consumergraph.operators.enrich.CatalogLookup;
import io.consumergraph.operators.enrich.CatalogLookupFactory;
import io.consumergraph.upstream.ExchangeListener;
import io.consumergraph.upstream.UpstreamClients;
import io.consumergraph.upstream.UpstreamConfig;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The enrichment's {@link CatalogLookup} over the upstream HTTP clients. */
final class UpstreamCatalog implements CatalogLookup {

  private final UpstreamClients clients;

  private UpstreamCatalog(UpstreamClients clients) {
    this.clients = clients;
  }

  /** A serializable factory: the HTTP clients are created on the task manager. */
  static CatalogLookupFactory factory(UpstreamConfig config) {
    return () -> new UpstreamCatalog(UpstreamClients.create(config));
  }

  static UpstreamConfig config(JobConfig config) {
    return UpstreamConfig.builder()
        .productServiceUrl(config.get(JobOptions.PRODUCT_URL))
        .productBatchDelay(config.get(JobOptions.PRODUCT_BATCH_DELAY))
        .categoryServiceUrl(config.get(JobOptions.CATEGORY_URL))
        .retailerServiceUrl(config.get(JobOptions.RETAILER_URL))
        .purchaseHistoryUrl(config.get(JobOptions.PURCHASE_HISTORY_URL))
        .btsUrl(config.get(JobOptions.BTS_URL))
        .requestTimeout(config.get(JobOptions.UPSTREAM_TIMEOUT))
        .purchaseHistoryRequestsPerSecond(config.get(JobOptions.PURCHASE_HISTORY_RATE))
        .build();
  }

  @Override
  public CompletableFuture<Map<String, Product>> products(Collection<String> fidos) {
    return clients.products().getProducts(fidos);
  }

  @Override
  public CompletableFuture<Optional<Retailer>> retailer(String retailerId) {
    return clients.retailers().getRetailer(retailerId);
  }

  @Override
  public void listen(ExchangeListener listener) {
    clients.listen(listener);
  }

  @Override
  public void close() {
    clients.close();
  }
}
