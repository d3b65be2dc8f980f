package io.consumergraph.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.consumergraph.model.Retailer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Looks up retailers in the retailer service ({@code GET {url}/v1/retailers/{id}}), cached.
 *
 * <p>Answers, "not found" included, are cached for the configured TTL so that receipts from an
 * unknown store do not call the service every time; failures are not cached. The client does not
 * retry: the Flink async I/O retry strategy does, guided by {@link UpstreamException#retryable()}.
 */
public final class RetailerServiceClient {

  private final UpstreamHttp http;
  private final String baseUrl;
  private final CoalescingCache<Retailer> cache;

  public RetailerServiceClient(UpstreamConfig config, UpstreamHttp http) {
    this.http = http;
    this.baseUrl = config.retailerServiceUrl();
    this.cache =
        new CoalescingCache<>(config.retailerCacheSize(), config.cacheTtl(), http.executor());
  }

  /** The retailer with this id, or empty when the service does not know it. */
  public CompletableFuture<Optional<Retailer>> getRetailer(String retailerId) {
    if (retailerId == null || retailerId.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return cache.get(retailerId, this::fetch);
  }

  private CompletableFuture<Optional<Retailer>> fetch(String retailerId) {
    return http.getOptional(
            UpstreamService.RETAILER, UpstreamHttp.uri(baseUrl, "v1", "retailers", retailerId))
        .thenApply(body -> body.map(RetailerServiceClient::parse));
  }

  private static Retailer parse(JsonNode n) {
    return new Retailer(
        n.path("retailerId").asText(""), n.path("name").asText(""), n.path("storeType").asText(""));
  }
}
