package io.consumergraph.job;

import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.operators.decode.DecodeAndFilter;
import io.consumergraph.operators.decode.ReceiptDecoder;
import io.consumergraph.operators.dedup.PurchaseDeduplicator;
import io.consumergraph.operators.enrich.CatalogLookupFactory;
import io.consumergraph.operators.enrich.PurchaseEnricher;
import io.consumergraph.operators.graph.ToGraphUpdate;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;
import org.apache.flink.streaming.util.retryable.RetryPredicates;

/**
 * Wires the consumer-graph topology. It only connects operators: sources and sinks come in as
 * arguments, so production, the demo and the tests run the same graph.
 *
 * <p>The uids are part of the savepoint format: never change one.
 */
public final class ConsumerGraphTopology {

  /** Settings of the operators between sources and sinks. */
  public record Settings(
      Duration dedupTtl,
      Duration upstreamTimeout,
      int upstreamMaxRetries,
      int enrichCapacity,
      int sinkParallelism) {

    public Settings {
      if (upstreamMaxRetries < 0 || enrichCapacity < 1 || sinkParallelism < 1) {
        throw new IllegalArgumentException("invalid topology settings: " + this);
      }
    }

    /** Time for all attempts of one enrichment, so the async timeout only fires on a hang. */
    Duration enrichTimeout() {
      long attempts = upstreamMaxRetries + 1L;
      return upstreamTimeout
          .multipliedBy(2 * attempts)
          .plus(MAX_RETRY_DELAY.multipliedBy(attempts));
    }
  }

  static final Duration INITIAL_RETRY_DELAY = Duration.ofMillis(100);
  static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(2);

  private final Source<SourceRecord, ?, ?> receipts;
  private final CatalogLookupFactory catalog;
  private final Sink<GraphUpdate> graphSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final Settings settings;

  public ConsumerGraphTopology(
      Source<SourceRecord, ?, ?> receipts,
      CatalogLookupFactory catalog,
      Sink<GraphUpdate> graphSink,
      Sink<DeadLetter> deadLetterSink,
      Settings settings) {
    this.receipts = receipts;
    this.catalog = catalog;
    this.graphSink = graphSink;
    this.deadLetterSink = deadLetterSink;
    this.settings = settings;
  }

  public void build(StreamExecutionEnvironment env) {
    SingleOutputStreamOperator<PurchaseEvent> decodedReceipts =
        env.fromSource(receipts, WatermarkStrategy.noWatermarks(), "receipts")
            .uid("receipts-source")
            .process(new DecodeAndFilter(new ReceiptDecoder()))
            .name("decode-receipts")
            .uid("decode-receipts");

    DataStream<DeadLetter> deadLetters =
        decodedReceipts.getSideOutput(DecodeAndFilter.DEAD_LETTERS);

    DataStream<PurchaseEvent> firstSeen =
        decodedReceipts
            .keyBy(PurchaseEvent::userId)
            .process(new PurchaseDeduplicator(settings.dedupTtl()))
            .name("dedup-purchases")
            .uid("dedup-purchases");

    AsyncRetryStrategy<EnrichedPurchase> retry =
        new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder<EnrichedPurchase>(
                settings.upstreamMaxRetries(),
                INITIAL_RETRY_DELAY.toMillis(),
                MAX_RETRY_DELAY.toMillis(),
                2.0)
            .ifResult(
                (Predicate<Collection<EnrichedPurchase>> & Serializable)
                    PurchaseEnricher::isIncomplete)
            .ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE)
            .build();
    DataStream<EnrichedPurchase> enriched =
        AsyncDataStream.unorderedWaitWithRetry(
                firstSeen,
                new PurchaseEnricher(catalog),
                settings.enrichTimeout().toMillis(),
                TimeUnit.MILLISECONDS,
                settings.enrichCapacity(),
                retry)
            .name("enrich-purchases")
            .uid("enrich-purchases");

    enriched
        .map(new ToGraphUpdate())
        .name("to-graph-update")
        .uid("to-graph-update")
        .sinkTo(graphSink)
        .name("neo4j-graph-sink")
        .uid("neo4j-graph-sink")
        .setParallelism(settings.sinkParallelism());

    deadLetters.sinkTo(deadLetterSink).name("dead-letter-sink").uid("dead-letter-sink");
  }
}
