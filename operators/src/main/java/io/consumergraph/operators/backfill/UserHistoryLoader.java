package io.consumergraph.operators.backfill;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.Product;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.model.Retailer;
import io.consumergraph.model.UserHistory;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.decode.PurchaseChecks;
import io.consumergraph.operators.enrich.PurchaseEnrichment;
import io.consumergraph.operators.metrics.MetricGroups;
import io.consumergraph.operators.metrics.UpstreamMetrics;
import io.consumergraph.operators.retry.AsyncBackoff;
import io.consumergraph.upstream.UpstreamClients;
import io.consumergraph.upstream.UpstreamConfig;
import io.consumergraph.upstream.UpstreamException;
import io.consumergraph.upstream.UpstreamService;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one user's purchase history for a {@link UserLoadRequest} through Flink async I/O: Purchase
 * History receipts and BTS shop orders fetched in parallel (fail-fast), merged, enriched, as one
 * {@link UserHistory} for a FullLoad.
 *
 * <p>An attempt never completes exceptionally: a failed attempt emits a {@link UserHistory} whose
 * {@code failure} says why. Its text starts with {@link #RETRYABLE_PREFIX} when Flink's retry
 * strategy ({@link #retryStrategy}) should try again (429, 5xx, timeout, connection error), so the
 * retries are bounded and live in one place. A non-retryable failure, the last attempt's failure
 * and the async I/O timeout are final and go downstream (to the dead-letter queue); the job never
 * fails because an upstream service does.
 *
 * <p>Wire it with {@code AsyncDataStream.unorderedWaitWithRetry(requests, new
 * UserHistoryLoader(config, maxRetries), timeout, unit, capacity, retryStrategy(maxRetries, ...))},
 * the same {@code maxRetries} on both, and a timeout longer than all attempts and backoffs
 * together: Flink's timeout covers the whole element, retries included.
 */
public final class UserHistoryLoader extends RichAsyncFunction<UserLoadRequest, UserHistory> {

  private static final long serialVersionUID = 1L;

  private static final Logger LOG = LoggerFactory.getLogger(UserHistoryLoader.class);

  /** The start of {@link UserHistory#failure()} when another attempt may succeed. */
  public static final String RETRYABLE_PREFIX = "retryable: ";

  private static final long DAY_MS = Duration.ofDays(1).toMillis();
  private static final EnrichedPurchase[] NONE = new EnrichedPurchase[0];

  private final UpstreamConfig config;
  private final int maxAttempts;

  private transient UpstreamClients clients;
  // Per element (keyed by its ResultFuture, which Flink's retry reuses for every attempt):
  // attempts so far and the attempt in flight. Weak keys: an element Flink has finished with
  // (also one whose retries Flink dropped at end of input) leaves no entry behind.
  private transient Map<ResultFuture<UserHistory>, Element> elements;
  private transient Counter loadsSucceeded;
  private transient Counter loadsFailed;
  private transient Counter loadAttemptsFailed;
  private transient Counter purchasesLoaded;
  private transient Counter historyRecordsRejected;

  /**
   * @param config where the upstream services are; the clients are built from it in {@link #open}
   * @param maxRetries the retry strategy's maximum number of retries ({@link #retryStrategy}); it
   *     tells the loader which attempt is the last one, for its failure text and metrics
   */
  public UserHistoryLoader(UpstreamConfig config, int maxRetries) {
    this.config = Objects.requireNonNull(config, "config");
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must be >= 0, got " + maxRetries);
    }
    this.maxAttempts = maxRetries + 1;
  }

  /**
   * Exponential backoff (factor 2) from {@code initial} up to {@code max} between attempts, at most
   * {@code maxRetries} retries (so {@code maxRetries + 1} attempts), retrying only the results
   * {@link #retryPredicate()} accepts.
   */
  public static AsyncRetryStrategy<UserHistory> retryStrategy(
      int maxRetries, Duration initial, Duration max) {
    return AsyncBackoff.strategy(maxRetries, initial, max, retryPredicate(), false);
  }

  /** {@link #retryStrategy(int, Duration, Duration)} with the job's {@link AsyncBackoff}. */
  public static AsyncRetryStrategy<UserHistory> retryStrategy(int maxRetries) {
    return retryStrategy(maxRetries, AsyncBackoff.INITIAL_DELAY, AsyncBackoff.MAX_DELAY);
  }

  /** Serializable result predicate: retry when a history failed for a retryable reason. */
  public static Predicate<Collection<UserHistory>> retryPredicate() {
    return (Predicate<Collection<UserHistory>> & Serializable) UserHistoryLoader::anyRetryable;
  }

  /** Whether this history failed for a reason another attempt may fix. */
  public static boolean isRetryableFailure(UserHistory history) {
    return history.failed() && history.failure().startsWith(RETRYABLE_PREFIX);
  }

  private static boolean anyRetryable(Collection<UserHistory> results) {
    for (UserHistory history : results) {
      if (isRetryableFailure(history)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void open(OpenContext openContext) {
    clients = UpstreamClients.create(config);
    elements = Collections.synchronizedMap(new WeakHashMap<>());
    var metrics = MetricGroups.of(getRuntimeContext());
    loadsSucceeded = metrics.counter("loadsSucceeded");
    loadsFailed = metrics.counter("loadsFailed");
    loadAttemptsFailed = metrics.counter("loadAttemptsFailed");
    purchasesLoaded = metrics.counter("purchasesLoaded");
    historyRecordsRejected = metrics.counter("historyRecordsRejected");
    UpstreamClients open = clients;
    metrics.gauge("upstreamRequestsInFlight", (Gauge<Integer>) open::requestsInFlight);
    clients.listen(
        new UpstreamMetrics(
            metrics, EnumSet.of(UpstreamService.PURCHASE_HISTORY, UpstreamService.BTS)));
  }

  @Override
  public void close() {
    if (clients != null) {
      clients.close();
    }
  }

  @Override
  public void asyncInvoke(UserLoadRequest request, ResultFuture<UserHistory> resultFuture) {
    Element element = elements.computeIfAbsent(resultFuture, k -> new Element());
    long startedAtMs = System.currentTimeMillis();
    if (element.timedOut) {
      // A retry Flink scheduled just before the timeout fired: the timeout's answer is final.
      resultFuture.complete(List.of(failed(request, startedAtMs, element.timeoutFailure)));
      return;
    }
    if (element.firstAttemptAtMs == 0) {
      element.firstAttemptAtMs = startedAtMs;
    }
    int attempt = ++element.attempts;
    CompletableFuture<EnrichedPurchase[]> load = load(request, startedAtMs);
    element.inFlight.set(load);
    load.whenComplete(
        (purchases, failure) -> {
          // Only the attempt still registered answers: timeout() may have taken over.
          if (element.inFlight.compareAndSet(load, null)) {
            finish(request, resultFuture, element, startedAtMs, attempt, purchases, failure);
          }
        });
  }

  @Override
  public void timeout(UserLoadRequest request, ResultFuture<UserHistory> resultFuture) {
    long nowMs = System.currentTimeMillis();
    Element element = elements.computeIfAbsent(resultFuture, k -> new Element());
    if (element.finished) {
      return; // the final answer is already on its way; the timer raced with it
    }
    CompletableFuture<?> running = element.inFlight.getAndSet(null);
    if (running != null) {
      running.cancel(true); // stops the fetches; their late answers are discarded
    }
    long elapsed = element.firstAttemptAtMs == 0 ? 0 : nowMs - element.firstAttemptAtMs;
    element.timeoutFailure =
        "timed out after "
            + elapsed
            + " ms and "
            + element.attempts
            + (element.attempts == 1 ? " attempt" : " attempts")
            + " (async I/O timeout)";
    element.timedOut = true;
    element.finished = true;
    loadsFailed.inc();
    LOG.warn("Load of user {} {}", request.userId(), element.timeoutFailure);
    resultFuture.complete(List.of(failed(request, nowMs, element.timeoutFailure)));
  }

  private void finish(
      UserLoadRequest request,
      ResultFuture<UserHistory> resultFuture,
      Element element,
      long startedAtMs,
      int attempt,
      EnrichedPurchase[] purchases,
      Throwable failure) {
    if (failure == null) {
      element.finished = true;
      loadsSucceeded.inc();
      purchasesLoaded.inc(purchases.length);
      resultFuture.complete(List.of(new UserHistory(request, startedAtMs, purchases, null)));
      return;
    }
    loadAttemptsFailed.inc();
    Throwable cause = unwrap(failure);
    String reason = describe(cause);
    String text;
    if (UpstreamException.isRetryable(cause) && attempt < maxAttempts) {
      text = RETRYABLE_PREFIX + "attempt " + attempt + " of " + maxAttempts + ": " + reason;
      LOG.info("Load of user {} failed, will retry: {}", request.userId(), text);
    } else {
      text =
          UpstreamException.isRetryable(cause)
              ? "gave up after " + attempt + " attempts: " + reason
              : "not retryable (attempt " + attempt + "): " + reason;
      element.finished = true;
      loadsFailed.inc();
      LOG.warn("Load of user {} failed for good: {}", request.userId(), text);
    }
    resultFuture.complete(List.of(failed(request, startedAtMs, text)));
  }

  /** One attempt: both sources in parallel, merged, then enriched; cancelling it stops them. */
  private CompletableFuture<EnrichedPurchase[]> load(UserLoadRequest request, long nowMs) {
    CompletableFuture<List<PurchaseEvent>> receipts;
    CompletableFuture<List<PurchaseEvent>> orders;
    try {
      long startTimeMs = startTimeMs(request, nowMs);
      receipts = clients.purchaseHistory().fetchReceipts(request.userId(), startTimeMs);
      orders = clients.bts().fetchShopOrders(request.userId(), startTimeMs);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e); // e.g. an id no URL can carry: not retryable
    }
    CompletableFuture<List<PurchaseEvent>> merged = mergeFailFast(receipts, orders);
    CompletableFuture<EnrichedPurchase[]> result =
        merged.thenApply(history -> checked(request, history, nowMs)).thenCompose(this::enrich);
    result.whenComplete(
        (value, failure) -> {
          if (failure != null) {
            receipts.cancel(true);
            orders.cancel(true);
          }
        });
    return result;
  }

  /**
   * The history's purchases that may reach the graph: those of the requested user that meet {@link
   * PurchaseChecks}, as the live path requires of receipts. The rest are left out, counted and
   * logged (once per load) instead of failing the load or a Neo4j batch.
   */
  private List<PurchaseEvent> checked(
      UserLoadRequest request, List<PurchaseEvent> history, long nowMs) {
    List<String> problems = new ArrayList<>();
    List<PurchaseEvent> kept = acceptable(request.userId(), history, nowMs, problems);
    if (!problems.isEmpty()) {
      historyRecordsRejected.inc(problems.size());
      LOG.warn(
          "Left {} of {} history records of user {} out of its FullLoad, e.g.: {}",
          problems.size(),
          history.size(),
          PurchaseChecks.abbreviated(request.userId()),
          problems.get(0));
    }
    return kept;
  }

  /** The purchases of {@code userId} that meet {@link PurchaseChecks}; the others' problems. */
  static List<PurchaseEvent> acceptable(
      String userId, List<PurchaseEvent> history, long nowMs, List<String> problems) {
    List<PurchaseEvent> kept = new ArrayList<>(history.size());
    for (PurchaseEvent p : history) {
      String problem =
          p.userId().equals(userId)
              ? PurchaseChecks.problem(p, nowMs)
              : "belongs to another user (purchase "
                  + PurchaseChecks.abbreviated(p.purchaseId())
                  + ")";
      if (problem == null) {
        kept.add(p);
      } else {
        problems.add(problem);
      }
    }
    return kept;
  }

  /**
   * Receipts then shop orders, one purchase per purchase id. The first failure of either source
   * fails the result at once and cancels the other (seed 001): a partial history must never be
   * written as a FullLoad, and waiting for the other source would only delay the retry.
   */
  private static CompletableFuture<List<PurchaseEvent>> mergeFailFast(
      CompletableFuture<List<PurchaseEvent>> receipts,
      CompletableFuture<List<PurchaseEvent>> orders) {
    CompletableFuture<List<PurchaseEvent>> result = new CompletableFuture<>();
    // completeExceptionally keeps the first cause, so the other's cancellation cannot mask it.
    receipts.whenComplete(
        (value, failure) -> {
          if (failure != null && result.completeExceptionally(unwrap(failure))) {
            orders.cancel(true);
          }
        });
    orders.whenComplete(
        (value, failure) -> {
          if (failure != null && result.completeExceptionally(unwrap(failure))) {
            receipts.cancel(true);
          }
        });
    CompletableFuture.allOf(receipts, orders)
        .thenRun(
            () -> {
              Map<String, PurchaseEvent> byId = new LinkedHashMap<>();
              receipts.join().forEach(p -> byId.putIfAbsent(p.purchaseId(), p));
              orders.join().forEach(p -> byId.putIfAbsent(p.purchaseId(), p));
              result.complete(new ArrayList<>(byId.values()));
            });
    return result;
  }

  /** Resolves every distinct FIDO in one products call and every distinct retailer once. */
  private CompletableFuture<EnrichedPurchase[]> enrich(List<PurchaseEvent> purchases) {
    Set<String> fidos = new LinkedHashSet<>();
    Set<String> retailerIds = new LinkedHashSet<>();
    for (PurchaseEvent p : purchases) {
      for (PurchasedItem item : p.items()) {
        fidos.add(item.fido());
      }
      if (!p.retailerId().isEmpty()) {
        retailerIds.add(p.retailerId());
      }
    }
    CompletableFuture<Map<String, Product>> products = clients.products().getProducts(fidos);
    Map<String, CompletableFuture<Optional<Retailer>>> retailers = new LinkedHashMap<>();
    for (String id : retailerIds) {
      retailers.put(id, clients.retailers().getRetailer(id));
    }
    List<CompletableFuture<?>> all = new ArrayList<>(retailers.values());
    all.add(products);
    // A FullLoad overwrites SHOPS_IN / SHOPS_AT from this history, so metadata missing because a
    // call failed would corrupt them: any enrichment failure fails the attempt (and is retried).
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              Map<String, Product> found = products.join();
              EnrichedPurchase[] out = new EnrichedPurchase[purchases.size()];
              for (int i = 0; i < out.length; i++) {
                PurchaseEvent p = purchases.get(i);
                Retailer retailer =
                    p.retailerId().isEmpty()
                        ? null
                        : retailers.get(p.retailerId()).join().orElse(null);
                out[i] = PurchaseEnrichment.enrich(p, found, retailer, true);
              }
              return out;
            });
  }

  /** requestedAt (now when absent) minus the lookback. */
  public static long startTimeMs(UserLoadRequest request, long nowMs) {
    long from = request.requestedAtMs() > 0 ? request.requestedAtMs() : nowMs;
    return from - request.lookbackDays() * DAY_MS;
  }

  private static UserHistory failed(UserLoadRequest request, long atMs, String failure) {
    return new UserHistory(request, atMs, NONE, failure);
  }

  private static Throwable unwrap(Throwable t) {
    Throwable cause = t;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }

  private static String describe(Throwable cause) {
    return cause instanceof UpstreamException ? cause.getMessage() : cause.toString();
  }

  /** What the loader knows about one input element across its attempts. */
  private static final class Element {
    final AtomicReference<CompletableFuture<?>> inFlight = new AtomicReference<>();
    int attempts; // asyncInvoke and timeout run on the task thread, one at a time
    long firstAttemptAtMs;
    volatile boolean finished;
    volatile boolean timedOut;
    volatile String timeoutFailure;
  }
}
