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
import java.util.concurrent.RejectedExecutionException;

/**
 * Resolves FIDOs to {@link Product}s: FPS {@code POST {url}/v1/products:batchGet} for the FIDOs not
 * in the cache, then the category hierarchy of each product through the {@link
 * CategoryServiceClient}.
 *
 * <p>Misses of concurrent lookups share requests: a FIDO missing from the cache waits up to {@link
 * UpstreamConfig#productBatchDelay} for others (of any purchase in enrichment) and goes out with
 * them in one batchGet of at most {@link UpstreamConfig#productBatchSize} FIDOs, sent at once when
 * full; a FIDO already asked for is not asked again while its request runs. Without this, a cold
 * cache (after every restart) cost about one request per purchase.
 *
 * <p>Only found, fully resolved products are cached; unknown FIDOs are simply absent from the
 * result and asked again next time (FPS may learn them). A failed batch or category lookup fails
 * every lookup waiting on it with an {@link UpstreamException}; the client does not retry, the
 * Flink async I/O retry strategy does.
 */
public final class ProductServiceClient {

  private static final String[] NO_HIERARCHY = new String[0];

  private final UpstreamHttp http;
  private final CategoryServiceClient categories;
  private final URI batchGetUri;
  private final int batchSize;
  private final long batchDelayNanos;
  private final Cache<String, Product> cache;

  /** FIDOs asked for and not answered yet, pending or sent; guarded by {@code this}. */
  private final Map<String, CompletableFuture<Optional<Product>>> asked = new HashMap<>();

  /** FIDOs waiting for the next batchGet; guarded by {@code this}. */
  private List<String> pending = new ArrayList<>();

  private boolean flushScheduled;

  public ProductServiceClient(
      UpstreamConfig config, UpstreamHttp http, CategoryServiceClient categories) {
    this.http = http;
    this.categories = categories;
    // The custom-method suffix ":batchGet" is part of the contract: not percent-encoded.
    this.batchGetUri = URI.create(config.productServiceUrl() + "/v1/products:batchGet");
    this.batchSize = config.productBatchSize();
    this.batchDelayNanos = config.productBatchDelay().toNanos();
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
    List<CompletableFuture<Optional<Product>>> answers = new ArrayList<>(misses.size());
    List<List<String>> full = new ArrayList<>();
    boolean schedule = false;
    synchronized (this) {
      for (String fido : misses) {
        CompletableFuture<Optional<Product>> answer = asked.get(fido);
        if (answer == null) {
          answer = new CompletableFuture<>();
          asked.put(fido, answer);
          pending.add(fido);
          if (pending.size() >= batchSize) {
            full.add(pending);
            pending = new ArrayList<>();
          }
        }
        answers.add(answer);
      }
      if (!pending.isEmpty() && batchDelayNanos == 0) {
        full.add(pending);
        pending = new ArrayList<>();
      } else if (!pending.isEmpty() && !flushScheduled) {
        flushScheduled = true;
        schedule = true;
      }
    }
    full.forEach(this::send);
    if (schedule) {
      scheduleFlush();
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              for (CompletableFuture<Optional<Product>> answer : answers) {
                answer.join().ifPresent(p -> found.put(p.productId(), p));
              }
              return found;
            });
  }

  private void scheduleFlush() {
    CompletableFuture<Void> timer;
    try {
      timer = http.delay(batchDelayNanos);
    } catch (RejectedExecutionException closed) {
      timer = CompletableFuture.completedFuture(null); // fails in send: the client is closed
    }
    timer.whenComplete((ignored, failure) -> flushPending());
  }

  private void flushPending() {
    List<String> batch;
    synchronized (this) {
      flushScheduled = false;
      batch = pending;
      pending = new ArrayList<>();
    }
    if (!batch.isEmpty()) {
      send(batch);
    }
  }

  /** One batchGet for {@code batch}; completes (and forgets) each FIDO's answer. */
  private void send(List<String> batch) {
    CompletableFuture<List<Product>> fetched;
    try {
      fetched = fetchBatch(batch);
    } catch (RuntimeException e) {
      fetched = CompletableFuture.failedFuture(e);
    }
    fetched.whenComplete(
        (products, failure) -> {
          Map<String, Product> byFido = new HashMap<>();
          if (products != null) {
            products.forEach(p -> byFido.put(p.productId(), p));
          }
          List<CompletableFuture<Optional<Product>>> answers = new ArrayList<>(batch.size());
          synchronized (this) {
            for (String fido : batch) {
              answers.add(asked.remove(fido));
            }
          }
          for (int i = 0; i < batch.size(); i++) {
            if (failure == null) {
              answers.get(i).complete(Optional.ofNullable(byFido.get(batch.get(i))));
            } else {
              answers.get(i).completeExceptionally(failure);
            }
          }
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
