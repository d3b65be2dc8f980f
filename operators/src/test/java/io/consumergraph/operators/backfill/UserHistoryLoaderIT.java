package io.consumergraph.operators.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.Origin;
import io.consumergraph.model.Product;
import io.consumergraph.model.UserHistory;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.poll.Poller;
import io.consumergraph.operators.poll.PollingSource;
import io.consumergraph.simulator.CatalogProduct;
import io.consumergraph.simulator.CatalogRetailer;
import io.consumergraph.simulator.EndpointFamily;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.HistoryReceiptItem;
import io.consumergraph.simulator.ShopOrder;
import io.consumergraph.simulator.ShopOrderLineItem;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import io.consumergraph.upstream.UpstreamConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.DefaultOpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.groups.OperatorMetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.CollectionSupplier;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.util.MockStreamingRuntimeContext;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link UserHistoryLoader} over real HTTP against the upstream simulator: the expected histories
 * are computed here from the simulator's {@link SyntheticCatalog}, not by the code under test. The
 * retry tests run the loader in a MiniCluster with {@code unorderedWaitWithRetry} behind a source
 * that stays open, so Flink's end-of-input retry shortcut never cuts the retries short.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class UserHistoryLoaderIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
              .build());

  private static final long DAY_MS = Duration.ofDays(1).toMillis();
  private static final long NOW = 1_760_000_000_000L;
  private static final int LOOKBACK_DAYS = 365;
  private static final String OPERATOR = "load-user-history";

  /** Requests the open source of the MiniCluster tests emits; static: the job runs in this JVM. */
  static final Queue<UserLoadRequest> TO_EMIT = new ConcurrentLinkedQueue<>();

  private static UpstreamSimulator upstream;
  private static SyntheticCatalog catalog;
  private static String shopper; // has receipts and a few shop orders
  private static String otherShopper;

  private UserHistoryLoader direct;

  @BeforeAll
  static void startSimulator() throws Exception {
    upstream = UpstreamSimulator.start();
    upstream.clock(() -> NOW); // the window is fixed, so the expectations are exact
    catalog = upstream.catalog();
    List<String> shoppers = new ArrayList<>();
    for (int i = 0; shoppers.size() < 2; i++) {
      String user = "user-" + i;
      int receipts = catalog.receiptsPerYear(user);
      int orders = catalog.shopOrdersPerYear(user);
      // Small, one page of receipts, BTS details fetched one at a time.
      if (receipts >= 4 && receipts <= 12 && orders >= 2 && orders <= 6) {
        shoppers.add(user);
      }
    }
    shopper = shoppers.get(0);
    otherShopper = shoppers.get(1);
  }

  @AfterAll
  static void stopSimulator() {
    upstream.close();
  }

  @BeforeEach
  void resetSimulator() {
    upstream.reset();
    TO_EMIT.clear();
  }

  @AfterEach
  void closeDirectLoaderAndLetSlowRequestsDrain() throws InterruptedException {
    if (direct != null) {
      direct.close();
      direct = null;
    }
    // A request still sleeping in the simulator would end after the next test's reset and skew
    // that test's in-flight statistics.
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline
        && Arrays.stream(EndpointFamily.values()).anyMatch(f -> upstream.stats(f).inFlight() > 0)) {
      Thread.sleep(20);
    }
  }

  // ------------------------------------------------------------------ one attempt, driven directly

  @Test
  void loadsTheWindowsReceiptsAndShopOrdersEnrichingEachFidoAndRetailerOnce() throws Exception {
    UserHistory history = loadDirectly(request("req-1", shopper));

    assertThat(history.failed()).as(history.failure()).isFalse();
    assertThat(history.request().requestId()).isEqualTo("req-1");
    assertThat(summaries(history)).containsExactlyElementsOf(expectedSummaries(shopper));
    for (EnrichedPurchase p : history.purchases()) {
      assertThat(p.userId()).isEqualTo(shopper);
      assertThat(p.origin()).isEqualTo(Origin.BACKFILL);
      assertThat(p.enrichmentComplete()).isTrue();
      CatalogRetailer retailer = catalog.retailer(p.retailer().retailerId());
      assertThat(p.retailer().name()).isEqualTo(retailer.name());
      assertThat(p.retailer().storeType()).isEqualTo(retailer.storeType());
      for (Product product : p.products()) {
        CatalogProduct known = catalog.product(product.productId());
        assertThat(product.name()).isEqualTo(known.name());
        assertThat(product.categoryId()).isEqualTo(known.categoryId());
        assertThat(product.categoryHierarchy().length > 0).isEqualTo(known.hasCategory());
      }
    }
    long distinctRetailers =
        Arrays.stream(history.purchases()).map(p -> p.retailer().retailerId()).distinct().count();
    assertThat(upstream.requestCount(EndpointFamily.FPS))
        .as("all distinct FIDOs (< 100) in one batchGet")
        .isEqualTo(1);
    assertThat(upstream.requestCount(EndpointFamily.RETAILER)).isEqualTo(distinctRetailers);
  }

  @Test
  void fetchesReceiptsAndShopOrdersInParallel() throws Exception {
    // The one receipts page outlasts several sequential BTS calls: the two overlap for over 1 s
    // even if one fetch starts late or this polling thread is starved for a while.
    upstream.knobs(EndpointFamily.PURCHASE_HISTORY).latency(1_500, 0);
    upstream.knobs(EndpointFamily.BTS).latency(300, 0);
    openDirect();
    Result result = new Result();
    direct.asyncInvoke(request("req-par", shopper), result);

    // Sequential fetches would never have a Purchase History and a BTS request open at once.
    boolean overlapped = false;
    while (!result.future.isDone()) {
      if (upstream.stats(EndpointFamily.PURCHASE_HISTORY).inFlight() > 0
          && upstream.stats(EndpointFamily.BTS).inFlight() > 0) {
        overlapped = true;
      }
      Thread.sleep(5);
    }
    assertThat(overlapped).as("both sources in flight together").isTrue();
    assertThat(single(result).failed()).isFalse();
    assertThat(summaries(single(result))).containsExactlyElementsOf(expectedSummaries(shopper));
  }

  @Test
  void aFailedShopOrderFetchFailsTheLoadAtOnceWithoutWaitingForReceipts() throws Exception {
    // The failure comes 500 ms late, so the receipts request has reached the simulator by then:
    // failing cancels it, and a request cancelled before it was sent would never be seen there.
    // A load that waited for the receipts would end after 2.5 s, with nothing in flight.
    upstream.knobs(EndpointFamily.PURCHASE_HISTORY).latency(2_500, 0);
    upstream.knobs(EndpointFamily.BTS).latency(500, 0).failNext(1, 503);
    openDirect();
    Result result = new Result();
    direct.asyncInvoke(request("req-ff", shopper), result);

    UserHistory history = single(result);
    assertThat(upstream.stats(EndpointFamily.PURCHASE_HISTORY).inFlight())
        .as("the receipts request was still being served when the load failed")
        .isEqualTo(1);
    assertThat(history.failed()).isTrue();
    assertThat(history.purchases()).isEmpty();
    assertThat(history.failure()).contains("BTS", "503");
    assertThat(UserHistoryLoader.isRetryableFailure(history)).isTrue();
  }

  @Test
  void theRetryPredicateRetriesOnlyRetryableFailuresAndSurvivesSerialization() throws Exception {
    Predicate<Collection<UserHistory>> predicate = roundTrip(UserHistoryLoader.retryPredicate());
    UserHistory retryable = failedHistory(UserHistoryLoader.RETRYABLE_PREFIX + "HTTP 503");
    UserHistory loaded = new UserHistory(request("r", "u"), NOW, new EnrichedPurchase[0], null);
    assertThat(predicate.test(List.of(retryable))).isTrue();
    assertThat(predicate.test(List.of(loaded))).isFalse();
    assertThat(predicate.test(List.of(failedHistory("not retryable (attempt 1): HTTP 400"))))
        .isFalse();
    assertThat(predicate.test(List.of(failedHistory("gave up after 4 attempts: HTTP 503"))))
        .isFalse();
    assertThat(
            InstantiationUtil.clone(
                    UserHistoryLoader.retryStrategy(
                        3, Duration.ofMillis(10), Duration.ofMillis(80)))
                .getRetryPredicate()
                .resultPredicate()
                .orElseThrow()
                .test(List.of(retryable)))
        .isTrue();
  }

  // ------------------------------------------------------------------ Flink async retry,
  // MiniCluster

  @Test
  void throttledAndFailingCallsAreRetriedWithBackoffUntilTheLoadSucceeds() throws Exception {
    upstream.knobs(EndpointFamily.PURCHASE_HISTORY).failNext(2, 429);
    upstream.knobs(EndpointFamily.BTS).failNext(1, 502);

    JobRun run = runJob(List.of(request("req-retry", shopper)), 3, Duration.ofSeconds(60));

    UserHistory history = run.single();
    assertThat(history.failed()).as(history.failure()).isFalse();
    assertThat(summaries(history)).containsExactlyElementsOf(expectedSummaries(shopper));
    assertThat(upstream.requestCount(EndpointFamily.PURCHASE_HISTORY))
        .as("two throttled attempts, then the one page")
        .isEqualTo(3);
    assertThat(run.counter("loadAttemptsFailed")).isEqualTo(2);
    assertThat(run.counter("loadsSucceeded")).isEqualTo(1);
    assertThat(run.counter("loadsFailed")).isZero();
    assertThat(run.counter("purchasesLoaded")).isEqualTo(history.purchases().length);
  }

  @Test
  void aServiceThatKeepsFailingIsGivenUpAfterExactlyMaxRetriesPlusOneAttempts() throws Exception {
    upstream.knobs(EndpointFamily.PURCHASE_HISTORY).failNext(50, 503);

    JobRun run = runJob(List.of(request("req-503", shopper)), 3, Duration.ofSeconds(60));

    UserHistory history = run.single();
    assertThat(history.failed()).isTrue();
    assertThat(history.failure()).startsWith("gave up after 4 attempts").contains("503");
    assertThat(UserHistoryLoader.isRetryableFailure(history)).isFalse();
    assertThat(upstream.requestCount(EndpointFamily.PURCHASE_HISTORY)).isEqualTo(4);
    assertThat(run.counter("loadAttemptsFailed")).isEqualTo(4);
    assertThat(run.counter("loadsFailed")).isEqualTo(1);
    assertThat(run.counter("loadsSucceeded")).isZero();
  }

  @Test
  void aClientErrorIsFinalAtOnceWhileAnotherUsersLoadStillSucceeds() throws Exception {
    upstream.knobs(EndpointFamily.PURCHASE_HISTORY).failNext(1, 400);

    // The failure is queued first, so it hits whichever load asks first; sort by outcome.
    JobRun run =
        runJob(
            List.of(request("req-a", shopper), request("req-b", otherShopper)),
            3,
            Duration.ofSeconds(60));

    List<UserHistory> failed = run.results.stream().filter(UserHistory::failed).toList();
    List<UserHistory> loaded = run.results.stream().filter(h -> !h.failed()).toList();
    assertThat(failed).hasSize(1);
    assertThat(loaded).hasSize(1);
    assertThat(failed.get(0).failure()).startsWith("not retryable").contains("400");
    assertThat(summaries(loaded.get(0)))
        .containsExactlyElementsOf(expectedSummaries(loaded.get(0).request().userId()));
    assertThat(upstream.requestCount(EndpointFamily.PURCHASE_HISTORY))
        .as("one 400, one page: no retry")
        .isEqualTo(2);
    assertThat(run.counter("loadAttemptsFailed")).isEqualTo(1);
    assertThat(run.counter("loadsFailed")).isEqualTo(1);
  }

  @Test
  void aLoadThatOutlivesTheAsyncTimeoutEndsAsAFailedHistoryNotAJobFailure() throws Exception {
    upstream.knobs(EndpointFamily.PURCHASE_HISTORY).latency(4_000, 0);

    JobRun run = runJob(List.of(request("req-slow", shopper)), 3, Duration.ofMillis(1_000));

    UserHistory history = run.single();
    assertThat(history.failed()).isTrue();
    assertThat(history.failure()).startsWith("timed out after").contains("1 attempt");
    assertThat(UserHistoryLoader.isRetryableFailure(history)).isFalse();
    assertThat(upstream.requestCount(EndpointFamily.PURCHASE_HISTORY)).isEqualTo(1);
    assertThat(run.counter("loadsFailed")).isEqualTo(1);
  }

  // ------------------------------------------------------------------ helpers

  /** Java serialization there and back, as the job graph does with the retry strategy. */
  private static <T> T roundTrip(T object) throws Exception {
    return InstantiationUtil.deserializeObject(
        InstantiationUtil.serializeObject(object), UserHistoryLoaderIT.class.getClassLoader());
  }

  private static UpstreamConfig config() {
    return UpstreamConfig.builder()
        .baseUrl(upstream.baseUri().toString())
        .requestTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static UserLoadRequest request(String requestId, String userId) {
    return new UserLoadRequest(
        requestId, userId, "batch_backfill", NOW, LOOKBACK_DAYS, "low", false, "test-queue");
  }

  private static UserHistory failedHistory(String failure) {
    return new UserHistory(request("r", "u"), NOW, new EnrichedPurchase[0], failure);
  }

  private void openDirect() {
    direct = new UserHistoryLoader(config(), 3);
    direct.setRuntimeContext(new MockStreamingRuntimeContext(1, 0));
    direct.open(DefaultOpenContext.INSTANCE);
  }

  private UserHistory loadDirectly(UserLoadRequest request) throws Exception {
    openDirect();
    Result result = new Result();
    direct.asyncInvoke(request, result);
    return single(result);
  }

  private static UserHistory single(Result result) throws Exception {
    Collection<UserHistory> out = result.future.get(30, TimeUnit.SECONDS);
    assertThat(out).hasSize(1);
    return out.iterator().next();
  }

  /** What identifies a purchase in the graph: id, channel, time, retailer, distinct FIDOs. */
  record Summary(String id, Channel channel, long timeMs, String retailerId, List<String> fidos) {}

  private static List<Summary> summaries(UserHistory history) {
    List<Summary> out = new ArrayList<>();
    for (EnrichedPurchase p : history.purchases()) {
      out.add(
          new Summary(
              p.purchaseId(),
              p.channel(),
              p.purchaseTimeMs(),
              p.retailer() == null ? "" : p.retailer().retailerId(),
              Arrays.stream(p.products()).map(Product::productId).toList()));
    }
    return out;
  }

  /**
   * Receipts then shop orders of the window; items without FIDO dropped, and purchases left empty.
   */
  private static List<Summary> expectedSummaries(String userId) {
    long start = NOW - LOOKBACK_DAYS * DAY_MS;
    List<Summary> out = new ArrayList<>();
    for (HistoryReceipt r : catalog.receiptsFor(userId, start, NOW)) {
      LinkedHashSet<String> fidos = new LinkedHashSet<>();
      for (HistoryReceiptItem item : r.items()) {
        if (!item.fido().isEmpty()) {
          fidos.add(item.fido());
        }
      }
      if (!fidos.isEmpty()) {
        out.add(
            new Summary(
                r.receiptId(),
                Channel.RECEIPT,
                r.purchaseTimeMs(),
                r.retailerId(),
                List.copyOf(fidos)));
      }
    }
    for (ShopOrder o : catalog.shopOrdersFor(userId, start, NOW)) {
      LinkedHashSet<String> fidos = new LinkedHashSet<>();
      for (ShopOrderLineItem item : o.lineItems()) {
        if (!item.fido().isEmpty()) {
          fidos.add(item.fido());
        }
      }
      if (!fidos.isEmpty()) {
        out.add(
            new Summary(
                o.buttonOrderId(),
                Channel.SHOP_ORDER,
                o.createdAtMs(),
                o.retailerId(),
                List.copyOf(fidos)));
      }
    }
    assertThat(out).as("the test user needs some history").isNotEmpty();
    return out;
  }

  /** A ResultFuture for driving the function without Flink. */
  static final class Result implements ResultFuture<UserHistory> {
    final CompletableFuture<Collection<UserHistory>> future = new CompletableFuture<>();

    @Override
    public void complete(Collection<UserHistory> result) {
      future.complete(result);
    }

    @Override
    public void complete(CollectionSupplier<UserHistory> supplier) {
      try {
        future.complete(supplier.get());
      } catch (Exception e) {
        future.completeExceptionally(e);
      }
    }

    @Override
    public void completeExceptionally(Throwable error) {
      future.completeExceptionally(error);
    }
  }

  /** Emits what the test queued; never ends, so retries are never cut short at end of input. */
  static final class QueuedRequests implements Poller<UserLoadRequest> {
    private static final long serialVersionUID = 1L;

    @Override
    public List<UserLoadRequest> poll() {
      List<UserLoadRequest> out = new ArrayList<>();
      for (UserLoadRequest r; (r = TO_EMIT.poll()) != null; ) {
        out.add(r);
      }
      return out;
    }
  }

  record JobRun(List<UserHistory> results, Map<String, Long> counters) {
    UserHistory single() {
      assertThat(results).hasSize(1);
      return results.get(0);
    }

    long counter(String name) {
      return counters.getOrDefault(name, -1L);
    }
  }

  /** Runs the loader with Flink's async retry until {@code requests.size()} results arrived. */
  private static JobRun runJob(List<UserLoadRequest> requests, int maxRetries, Duration timeout)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    DataStream<UserLoadRequest> input =
        env.fromSource(
            new PollingSource<>(new QueuedRequests(), Duration.ofMillis(20)),
            WatermarkStrategy.noWatermarks(),
            "requests",
            TypeInformation.of(UserLoadRequest.class));
    DataStream<UserHistory> loaded =
        AsyncDataStream.unorderedWaitWithRetry(
                input,
                new UserHistoryLoader(config(), maxRetries),
                timeout.toMillis(),
                TimeUnit.MILLISECONDS,
                10,
                UserHistoryLoader.retryStrategy(
                    maxRetries, Duration.ofMillis(50), Duration.ofMillis(200)))
            .name(OPERATOR);
    CloseableIterator<UserHistory> results = loaded.collectAsync();
    TO_EMIT.addAll(requests);
    JobClient job = env.executeAsync("user-history-loader-it");
    List<UserHistory> out = new ArrayList<>();
    try {
      while (out.size() < requests.size() && results.hasNext()) {
        out.add(results.next());
      }
      Thread.sleep(300); // a retry too many would have reached the simulator by now
      return new JobRun(out, counters(job));
    } finally {
      job.cancel().get(30, TimeUnit.SECONDS);
      results.close();
    }
  }

  private static Map<String, Long> counters(JobClient job) {
    Map<String, Long> out = new java.util.HashMap<>();
    for (OperatorMetricGroup group : REPORTER.findOperatorMetricGroups(job.getJobID(), OPERATOR)) {
      for (Map.Entry<String, Metric> e : REPORTER.getMetricsByGroup(group).entrySet()) {
        if (e.getValue() instanceof Counter c) {
          out.merge(e.getKey(), c.getCount(), Long::sum);
        }
      }
    }
    return out;
  }
}
