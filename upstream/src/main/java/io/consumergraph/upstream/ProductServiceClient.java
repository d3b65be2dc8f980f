package io.consumergraph.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.consumergraph.model.Product;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Resolves FIDOs to {@link Product}s: FPS {@code POST {url}/v1/products:batchGet} for the FIDOs not
 * in the cache, then the category hierarchy of each product through the {@link
 * CategoryServiceClient}.
 *
 * <p>Only found, fully resolved products are cached; unknown FIDOs are simply absent from the
 * result and asked again next time (FPS may learn them). A failed batch or category lookup fails
 * the whole future with an {@link UpstreamException}; the client does not retry, the Flink async
 * I/O retry strategy does.
 */
public final class ProductServiceClient {

  private static final String[] NO_HIERARCHY = new String[0];

  private final UpstreamHttp http;
  private final CategoryServiceClient categories;
  private final URI batchGetUri;
  private final int batchSize;
  private final Cache<String, Product> cache;

  public ProductServiceClient(
      UpstreamConfig config, UpstreamHttp http, CategoryServiceClient categories) {
    this.http = http;
    this.categories = categories;
    // The custom-method suffix ":batchGet" is part of the contract: not percent-encoded.
    this.batchGetUri = URI.create(config.productServiceUrl() + "/v1/products:batchGet");
    this.batchSize = config.productBatchSize();
    this.cache =
        Caffeine.newBuilder()
            .maximumSize(config.productCacheSize())
            .expireAfterWrite(config.cacheTtl())
            .executor(http.executor())
            .build();
  }

  /** The products FPS knows among these FIDOs, by FIDO; unknown FIDOs are absent. */
  public CompletableFuture<Map<String, Product>> getProducts(Collection<String> fidos) {
    Map<String, Product> found = new HashMap<>();
    List<String> misses = new ArrayList<>();
    for (String fido : new LinkedHashSet<>(fidos)) {
      if (fido == null || fido.isEmpty()) {
        continue;
      }
      Product cached = cache.getIfPresent(fido);
      if (cached != null) {
        found.put(fido, cached);
      } else {
        misses.add(fido);
      }
    }
    if (misses.isEmpty()) {
      return CompletableFuture.completedFuture(found);
    }
    List<CompletableFuture<List<Product>>> batches = new ArrayList<>();
    for (int from = 0; from < misses.size(); from += batchSize) {
      batches.add(fetchBatch(misses.subList(from, Math.min(misses.size(), from + batchSize))));
    }
    return CompletableFuture.allOf(batches.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              for (CompletableFuture<List<Product>> batch : batches) {
                for (Product p : batch.join()) {
                  found.put(p.productId(), p);
                }
              }
              return found;
            });
  }

  /** How many products the cache holds (an estimate, for metrics and tests). */
  public long cachedProducts() {
    return cache.estimatedSize();
  }

  private CompletableFuture<List<Product>> fetchBatch(List<String> fidos) {
    ObjectNode request = http.json().createObjectNode();
    ArrayNode array = request.putArray("fidos");
    fidos.forEach(array::add);
    return http.post(UpstreamService.FPS, batchGetUri, request)
        .thenCompose(this::withHierarchies)
        .thenApply(
            products -> {
              products.forEach(p -> cache.put(p.productId(), p));
              return products;
            });
  }

  /** Parses a batchGet answer and fills each product's hierarchy from the category service. */
  private CompletableFuture<List<Product>> withHierarchies(JsonNode body) {
    List<JsonNode> products = new ArrayList<>();
    body.path("products").forEach(products::add);
    Set<String> categoryIds = new LinkedHashSet<>();
    for (JsonNode p : products) {
      String categoryId = p.path("categoryId").asText("");
      if (!categoryId.isEmpty()) {
        categoryIds.add(categoryId);
      }
    }
    Map<String, CompletableFuture<Optional<Category>>> lookups = new HashMap<>();
    categoryIds.forEach(id -> lookups.put(id, categories.getCategory(id)));
    return CompletableFuture.allOf(lookups.values().toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<Product> out = new ArrayList<>(products.size());
              for (JsonNode p : products) {
                String fido = p.path("fido").asText("");
                if (fido.isEmpty()) {
                  continue; // a product without its key is useless to the graph
                }
                String categoryId = p.path("categoryId").asText("");
                String[] hierarchy =
                    categoryId.isEmpty()
                        ? NO_HIERARCHY
                        : lookups
                            .get(categoryId)
                            .join()
                            .map(c -> c.hierarchy().toArray(String[]::new))
                            .orElse(NO_HIERARCHY);
                out.add(
                    new Product(
                        fido,
                        p.path("name").asText(""),
                        p.path("brand").asText(""),
                        categoryId,
                        hierarchy));
              }
              return out;
            });
  }
}
