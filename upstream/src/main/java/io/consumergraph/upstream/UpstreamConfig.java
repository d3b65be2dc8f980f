package io.consumergraph.upstream;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the upstream clients: where each service lives, timeouts, rate limits, BTS detail
 * concurrency and cache sizes. Serializable so a Flink operator can carry it to the task managers
 * and build its clients there.
 *
 * @param productServiceUrl FPS base URL; the client calls {@code {url}/v1/products...}
 * @param categoryServiceUrl category service base URL ({@code {url}/v1/categories/{id}})
 * @param retailerServiceUrl retailer service base URL ({@code {url}/v1/retailers/{id}})
 * @param purchaseHistoryUrl Purchase History API base URL ({@code {url}/v1/users/{id}/receipts})
 * @param btsUrl BTS base URL ({@code {url}/user/{id}/transaction}, {@code
 *     {url}/internal/transaction/{id}/button})
 * @param requestTimeout timeout of one HTTP request, connect included
 * @param ioThreads threads of the clients' own executor (JSON parsing and callbacks)
 * @param purchaseHistoryRequestsPerSecond token-bucket rate of one Purchase History client
 * @param purchaseHistoryPageSize receipts per Purchase History page (the API allows 1..100)
 * @param btsSequentialThreshold up to this many orders BTS details are fetched one at a time
 * @param btsDetailConcurrency detail calls in flight at once above the threshold
 * @param productBatchSize FIDOs per FPS batchGet request
 * @param productBatchDelay how long a FIDO missing from the cache waits for others to share its
 *     batchGet request (the misses of all purchases in enrichment go together); zero sends each
 *     lookup's misses at once
 * @param cacheTtl how long a cached product, category or retailer is used
 */
public record UpstreamConfig(
    String productServiceUrl,
    String categoryServiceUrl,
    String retailerServiceUrl,
    String purchaseHistoryUrl,
    String btsUrl,
    Duration requestTimeout,
    int ioThreads,
    double purchaseHistoryRequestsPerSecond,
    int purchaseHistoryPageSize,
    int btsSequentialThreshold,
    int btsDetailConcurrency,
    int productBatchSize,
    Duration productBatchDelay,
    long productCacheSize,
    long categoryCacheSize,
    long retailerCacheSize,
    Duration cacheTtl)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /** Where the services live on the upstream simulator and the embedded stack. */
  public static final String DEFAULT_BASE_URL = "http://localhost:8090";

  public UpstreamConfig {
    Objects.requireNonNull(productServiceUrl, "productServiceUrl");
    Objects.requireNonNull(categoryServiceUrl, "categoryServiceUrl");
    Objects.requireNonNull(retailerServiceUrl, "retailerServiceUrl");
    Objects.requireNonNull(purchaseHistoryUrl, "purchaseHistoryUrl");
    Objects.requireNonNull(btsUrl, "btsUrl");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    Objects.requireNonNull(cacheTtl, "cacheTtl");
    Objects.requireNonNull(productBatchDelay, "productBatchDelay");
    if (productBatchDelay.isNegative()) {
      throw new IllegalArgumentException(
          "productBatchDelay must not be negative, got " + productBatchDelay);
    }
    if (requestTimeout.isNegative() || requestTimeout.isZero()) {
      throw new IllegalArgumentException("requestTimeout must be positive");
    }
    if (ioThreads < 1
        || purchaseHistoryRequestsPerSecond <= 0
        || purchaseHistoryPageSize < 1
        || purchaseHistoryPageSize > 100
        || btsSequentialThreshold < 0
        || btsDetailConcurrency < 1
        || productBatchSize < 1
        || productCacheSize < 0
        || categoryCacheSize < 0
        || retailerCacheSize < 0
        || cacheTtl.isNegative()) {
      throw new IllegalArgumentException("invalid upstream configuration: " + this);
    }
  }

  /** The defaults with every service at {@link #DEFAULT_BASE_URL}. */
  public static UpstreamConfig defaults() {
    return builder().build();
  }

  public static Builder builder() {
    return new Builder();
  }

  public Builder toBuilder() {
    return new Builder()
        .productServiceUrl(productServiceUrl)
        .categoryServiceUrl(categoryServiceUrl)
        .retailerServiceUrl(retailerServiceUrl)
        .purchaseHistoryUrl(purchaseHistoryUrl)
        .btsUrl(btsUrl)
        .requestTimeout(requestTimeout)
        .ioThreads(ioThreads)
        .purchaseHistoryRequestsPerSecond(purchaseHistoryRequestsPerSecond)
        .purchaseHistoryPageSize(purchaseHistoryPageSize)
        .btsSequentialThreshold(btsSequentialThreshold)
        .btsDetailConcurrency(btsDetailConcurrency)
        .productBatchSize(productBatchSize)
        .productBatchDelay(productBatchDelay)
        .productCacheSize(productCacheSize)
        .categoryCacheSize(categoryCacheSize)
        .retailerCacheSize(retailerCacheSize)
        .cacheTtl(cacheTtl);
  }

  /** Builds an {@link UpstreamConfig}; every setting has a production-safe default. */
  public static final class Builder {
    private String productServiceUrl;
    private String categoryServiceUrl;
    private String retailerServiceUrl;
    private String purchaseHistoryUrl;
    private String btsUrl;
    private Duration requestTimeout = Duration.ofSeconds(2);
    private int ioThreads = 2;
    // Seed 001: 10 req/s keeps the Purchase History API within its standard limits.
    private double purchaseHistoryRequestsPerSecond = 10;
    private int purchaseHistoryPageSize = 100;
    // Seed 001: <= 50 transactions sequential, above that 5 concurrent detail calls.
    private int btsSequentialThreshold = 50;
    private int btsDetailConcurrency = 5;
    private int productBatchSize = 100;
    // A few ms against an FPS answer of tens: after a restart every purchase misses the cache,
    // and one request per purchase was ~5,000 requests per 10,000 receipts (benchmarks/README.md).
    private Duration productBatchDelay = Duration.ofMillis(5);
    private long productCacheSize = 100_000;
    private long categoryCacheSize = 10_000;
    private long retailerCacheSize = 10_000;
    private Duration cacheTtl = Duration.ofHours(1);

    private Builder() {
      baseUrl(DEFAULT_BASE_URL);
    }

    /** Points every service at one host: {@link UpstreamEndpoints#onOneHost}. */
    public Builder baseUrl(String baseUrl) {
      UpstreamEndpoints on = UpstreamEndpoints.onOneHost(URI.create(stripSlash(baseUrl)));
      productServiceUrl = on.product().toString();
      categoryServiceUrl = on.category().toString();
      retailerServiceUrl = on.retailer().toString();
      purchaseHistoryUrl = on.purchaseHistory().toString();
      btsUrl = on.bts().toString();
      return this;
    }

    public Builder productServiceUrl(String url) {
      productServiceUrl = stripSlash(url);
      return this;
    }

    public Builder categoryServiceUrl(String url) {
      categoryServiceUrl = stripSlash(url);
      return this;
    }

    public Builder retailerServiceUrl(String url) {
      retailerServiceUrl = stripSlash(url);
      return this;
    }

    public Builder purchaseHistoryUrl(String url) {
      purchaseHistoryUrl = stripSlash(url);
      return this;
    }

    public Builder btsUrl(String url) {
      btsUrl = stripSlash(url);
      return this;
    }

    public Builder requestTimeout(Duration timeout) {
      requestTimeout = timeout;
      return this;
    }

    public Builder ioThreads(int threads) {
      ioThreads = threads;
      return this;
    }

    public Builder purchaseHistoryRequestsPerSecond(double rate) {
      purchaseHistoryRequestsPerSecond = rate;
      return this;
    }

    public Builder purchaseHistoryPageSize(int size) {
      purchaseHistoryPageSize = size;
      return this;
    }

    public Builder btsSequentialThreshold(int orders) {
      btsSequentialThreshold = orders;
      return this;
    }

    public Builder btsDetailConcurrency(int concurrency) {
      btsDetailConcurrency = concurrency;
      return this;
    }

    public Builder productBatchSize(int size) {
      productBatchSize = size;
      return this;
    }

    public Builder productBatchDelay(Duration delay) {
      productBatchDelay = delay;
      return this;
    }

    public Builder productCacheSize(long size) {
      productCacheSize = size;
      return this;
    }

    public Builder categoryCacheSize(long size) {
      categoryCacheSize = size;
      return this;
    }

    public Builder retailerCacheSize(long size) {
      retailerCacheSize = size;
      return this;
    }

    public Builder cacheTtl(Duration ttl) {
      cacheTtl = ttl;
      return this;
    }

    public UpstreamConfig build() {
      return new UpstreamConfig(
          productServiceUrl,
          categoryServiceUrl,
          retailerServiceUrl,
          purchaseHistoryUrl,
          btsUrl,
          requestTimeout,
          ioThreads,
          purchaseHistoryRequestsPerSecond,
          purchaseHistoryPageSize,
          btsSequentialThreshold,
          btsDetailConcurrency,
          productBatchSize,
          productBatchDelay,
          productCacheSize,
          categoryCacheSize,
          retailerCacheSize,
          cacheTtl);
    }

    private static String stripSlash(String url) {
      Objects.requireNonNull(url, "url");
      return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
  }
}
