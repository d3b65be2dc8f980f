package io.consumergraph.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Looks up categories in the category service ({@code GET {url}/v1/categories/{id}}), cached.
 *
 * <p>Answers, "not found" included, are cached for the configured TTL; concurrent lookups of one id
 * share one request. Failures are not cached. The client does not retry: failed futures carry an
 * {@link UpstreamException} and the Flink async I/O retry strategy decides.
 */
public final class CategoryServiceClient {

  private final UpstreamHttp http;
  private final String baseUrl;
  private final CoalescingCache<Category> cache;

  public CategoryServiceClient(UpstreamConfig config, UpstreamHttp http) {
    this.http = http;
    this.baseUrl = config.categoryServiceUrl();
    this.cache =
        new CoalescingCache<>(config.categoryCacheSize(), config.cacheTtl(), http.executor());
  }

  /** The category with this id, or empty when the service does not know it. */
  public CompletableFuture<Optional<Category>> getCategory(String categoryId) {
    if (categoryId == null || categoryId.isEmpty()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    return cache.get(categoryId, this::fetch);
  }

  private CompletableFuture<Optional<Category>> fetch(String categoryId) {
    return http.getOptional(
            UpstreamService.CATEGORY, UpstreamHttp.uri(baseUrl, "v1", "categories", categoryId))
        .thenApply(body -> body.map(CategoryServiceClient::parse));
  }

  private static Category parse(JsonNode n) {
    List<String> hierarchy = new ArrayList<>();
    n.path("hierarchy").forEach(id -> hierarchy.add(id.asText()));
    return new Category(n.path("categoryId").asText(""), n.path("name").asText(""), hierarchy);
  }
}
