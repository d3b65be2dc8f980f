package io.consumergraph.operators.enrich;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.Product;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.Retailer;
import io.consumergraph.operators.metrics.MetricGroups;
import io.consumergraph.operators.metrics.UpstreamMetrics;
import io.consumergraph.operators.retry.AsyncBackoff;
import io.consumergraph.upstream.UpstreamService;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves a purchase's products (FPS + category service) and retailer through async I/O.
 *
 * <p>An upstream failure never fails the job and never loses the purchase: the result is marked
 * incomplete, which makes Flink's retry strategy try again (see {@link #isIncomplete}); after the
 * last attempt the purchase goes on with the metadata the event itself carries, and the sink's
 * category guard keeps whatever Neo4j already knows.
 */
public final class PurchaseEnricher extends RichAsyncFunction<PurchaseEvent, EnrichedPurchase> {

  private static final long serialVersionUID = 1L;

  private static final Logger LOG = LoggerFactory.getLogger(PurchaseEnricher.class);

  private final CatalogLookupFactory lookupFactory;

  private transient CatalogLookup lookup;
  private transient Counter upstreamFailures;
  private transient Counter timeouts;

  public PurchaseEnricher(CatalogLookupFactory lookupFactory) {
    this.lookupFactory = lookupFactory;
  }

  @Override
  public void open(OpenContext openContext) {
    lookup = lookupFactory.create();
    lookup.listen(
        new UpstreamMetrics(
            MetricGroups.of(getRuntimeContext()),
            EnumSet.of(UpstreamService.FPS, UpstreamService.CATEGORY, UpstreamService.RETAILER)));
    upstreamFailures = MetricGroups.of(getRuntimeContext()).counter("upstreamFailures");
    timeouts = MetricGroups.of(getRuntimeContext()).counter("timeouts");
  }

  @Override
  public void close() throws Exception {
    if (lookup != null) {
      lookup.close();
    }
  }

  @Override
  public void asyncInvoke(PurchaseEvent event, ResultFuture<EnrichedPurchase> resultFuture) {
    CompletableFuture<Map<String, Product>> products =
        lookup.products(PurchaseEnrichment.distinctItems(event).keySet());
    CompletableFuture<Optional<Retailer>> retailer =
        event.retailerId().isEmpty()
            ? CompletableFuture.completedFuture(Optional.empty())
            : lookup.retailer(event.retailerId());
    products
        .thenCombine(
            retailer,
            (found, shop) -> PurchaseEnrichment.enrich(event, found, shop.orElse(null), true))
        .exceptionally(
            failure -> {
              upstreamFailures.inc();
              LOG.info(
                  "Enrichment of purchase {} of user {} failed (retried while attempts are left): {}",
                  event.purchaseId(),
                  event.userId(),
                  failure.toString());
              return unenriched(event);
            })
        .thenAccept(result -> resultFuture.complete(List.of(result)));
  }

  @Override
  public void timeout(PurchaseEvent event, ResultFuture<EnrichedPurchase> resultFuture) {
    // The purchase matters more than its metadata: go on without enrichment.
    timeouts.inc();
    resultFuture.complete(List.of(unenriched(event)));
  }

  /**
   * Up to {@code maxRetries} retries with the job's {@link AsyncBackoff} of an incomplete result
   * ({@link #isIncomplete}) or an exceptional completion.
   */
  public static AsyncRetryStrategy<EnrichedPurchase> retryStrategy(int maxRetries) {
    return AsyncBackoff.strategy(
        maxRetries,
        AsyncBackoff.INITIAL_DELAY,
        AsyncBackoff.MAX_DELAY,
        (Predicate<Collection<EnrichedPurchase>> & Serializable) PurchaseEnricher::isIncomplete,
        true);
  }

  /**
   * The async I/O timeout of one purchase: all its attempts, each making two upstream calls one
   * after the other (products, then categories) of up to {@code upstreamTimeout}, with their
   * backoffs. It fires only on a hang.
   */
  public static Duration timeout(Duration upstreamTimeout, int maxRetries) {
    return AsyncBackoff.allAttempts(upstreamTimeout.multipliedBy(2), maxRetries);
  }

  /** Retry predicate: a result whose upstream calls failed is worth another attempt. */
  public static boolean isIncomplete(Collection<EnrichedPurchase> results) {
    for (EnrichedPurchase result : results) {
      if (!result.enrichmentComplete()) {
        return true;
      }
    }
    return false;
  }

  /** The purchase with only the metadata its own event carries. */
  public static EnrichedPurchase unenriched(PurchaseEvent event) {
    return PurchaseEnrichment.unenriched(event);
  }
}
