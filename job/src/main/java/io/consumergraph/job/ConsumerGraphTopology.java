package io.consumergraph.job;

import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.MergeInput;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.model.UserHistory;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.decode.DecodeAndFilter;
import io.consumergraph.operators.decode.FactoidDecoder;
import io.consumergraph.operators.decode.ReceiptDecoder;
import io.consumergraph.operators.dedup.PurchaseDeduplicator;
import io.consumergraph.operators.enrich.CatalogLookupFactory;
import io.consumergraph.operators.enrich.PurchaseEnricher;
import io.consumergraph.operators.gate.DecodeEnrollments;
import io.consumergraph.operators.gate.FlagUpdate;
import io.consumergraph.operators.gate.GateInput;
import io.consumergraph.operators.gate.UserGate;
import io.consumergraph.operators.load.DecodeLoadOutcomes;
import io.consumergraph.operators.load.DecodeLoadRequests;
import io.consumergraph.operators.load.FullLoadMerger;
import io.consumergraph.operators.load.LoadCoordinator;
import io.consumergraph.operators.load.UserHistoryLoader;
import io.consumergraph.upstream.UpstreamConfig;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
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

  /**
   * The job's inputs; {@code enrollments} may be null when there is no enrollment topic, {@code
   * backfill} when there is no backfill queue.
   */
  public record Inputs(
      Source<SourceRecord, ?, ?> receipts,
      Source<SourceRecord, ?, ?> factoids,
      Source<FlagUpdate, ?, ?> flags,
      Source<SourceRecord, ?, ?> enrollments,
      Backfill backfill) {}

  /**
   * The backfill path: requests from SQS (requests from {@code enrollmentQueue} also enroll their
   * user), load outcomes fed back through {@code outcomes}/{@code outcomeSink}, invalid requests
   * and failed loads to {@code requestDeadLetters}.
   */
  public record Backfill(
      Source<SourceRecord, ?, ?> requests,
      String enrollmentQueue,
      Source<SourceRecord, ?, ?> outcomes,
      Sink<LoadOutcome> outcomeSink,
      Sink<DeadLetter> requestDeadLetters,
      UpstreamConfig upstream,
      Duration loadedTtl,
      Duration inFlightTimeout,
      int maxRetries,
      int maxConcurrentLoads,
      Duration loadTimeout) {}

  /** Settings of the operators between sources and sinks. */
  public record Settings(
      Duration idListGrace,
      Duration dedupTtl,
      Duration liveRetention,
      Duration upstreamTimeout,
      int upstreamMaxRetries,
      int enrichCapacity,
      int sinkParallelism,
      boolean logOnly,
      int rewindGeneration) {

    public Settings {
      if (upstreamMaxRetries < 0
          || enrichCapacity < 1
          || sinkParallelism < 1
          || rewindGeneration < 0) {
        throw new IllegalArgumentException("invalid topology settings: " + this);
      }
    }

    /**
     * The uid of a live Kafka source: the base uid until the first rewind, then one per rewind
     * generation, so a restore drops the saved offsets and the source starts from {@code
     * kafka.start-from}.
     */
    String liveSourceUid(String base) {
      return rewindGeneration == 0 ? base : base + "-rewind-" + rewindGeneration;
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

  private final Inputs inputs;
  private final CatalogLookupFactory catalog;
  private final Sink<GraphUpdate> graphSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final Settings settings;

  public ConsumerGraphTopology(
      Inputs inputs,
      CatalogLookupFactory catalog,
      Sink<GraphUpdate> graphSink,
      Sink<DeadLetter> deadLetterSink,
      Settings settings) {
    this.inputs = inputs;
    this.catalog = catalog;
    this.graphSink = graphSink;
    this.deadLetterSink = deadLetterSink;
    this.settings = settings;
  }

  public void build(StreamExecutionEnvironment env) {
    SingleOutputStreamOperator<PurchaseEvent> receipts =
        env.fromSource(inputs.receipts(), WatermarkStrategy.noWatermarks(), "receipts")
            .uid(settings.liveSourceUid("receipts-source"))
            .process(new DecodeAndFilter(new ReceiptDecoder()))
            .name("decode-receipts")
            .uid("decode-receipts");
    SingleOutputStreamOperator<PurchaseEvent> factoids =
        env.fromSource(inputs.factoids(), WatermarkStrategy.noWatermarks(), "factoids")
            .uid(settings.liveSourceUid("factoids-source"))
            .process(new DecodeAndFilter(new FactoidDecoder()))
            .name("decode-factoids")
            .uid("decode-factoids");
    DataStream<DeadLetter> deadLetters =
        receipts
            .getSideOutput(DecodeAndFilter.DEAD_LETTERS)
            .union(factoids.getSideOutput(DecodeAndFilter.DEAD_LETTERS));

    // The flag source runs on one subtask: snapshots are broadcast, id-list members are keyed.
    SingleOutputStreamOperator<FlagUpdate> flagUpdates =
        env.fromSource(
                inputs.flags(),
                WatermarkStrategy.noWatermarks(),
                "flags",
                TypeInformation.of(FlagUpdate.class))
            .uid("flags-source")
            .setParallelism(1);
    BroadcastStream<FlagUpdate> snapshots =
        flagUpdates
            .filter(FlagUpdate::isSnapshot)
            .name("flag-snapshots")
            .uid("flag-snapshots")
            .setParallelism(1)
            .broadcast(UserGate.FLAGS);
    DataStream<GateInput> memberships =
        flagUpdates
            .filter(update -> !update.isSnapshot())
            .name("id-list-members")
            .uid("id-list-members")
            .setParallelism(1)
            .map(m -> GateInput.membership(m.userId(), m.listKey(), m.listVersion()))
            .name("to-membership")
            .uid("to-membership")
            .setParallelism(1);

    DataStream<GateInput> gateInputs =
        receipts
            .union(factoids)
            .map(GateInput::purchase)
            .name("to-gate-input")
            .uid("to-gate-input")
            .union(memberships);
    if (inputs.enrollments() != null) {
      SingleOutputStreamOperator<GateInput> enrollments =
          env.fromSource(inputs.enrollments(), WatermarkStrategy.noWatermarks(), "enrollments")
              .uid(settings.liveSourceUid("enrollments-source"))
              .process(new DecodeEnrollments())
              .name("decode-enrollments")
              .uid("decode-enrollments");
      gateInputs = gateInputs.union(enrollments);
      deadLetters = deadLetters.union(enrollments.getSideOutput(DecodeAndFilter.DEAD_LETTERS));
    }

    Backfill backfill = inputs.backfill();
    SingleOutputStreamOperator<UserLoadRequest> requests = null;
    if (backfill != null) {
      requests =
          env.fromSource(backfill.requests(), WatermarkStrategy.noWatermarks(), "load-requests")
              .uid("load-requests-source")
              .process(new DecodeLoadRequests())
              .name("decode-load-requests")
              .uid("decode-load-requests");
      String enrollmentQueue = backfill.enrollmentQueue();
      gateInputs =
          gateInputs.union(
              requests
                  .filter(request -> request.source().equals(enrollmentQueue))
                  .name("enrollment-requests")
                  .uid("enrollment-requests")
                  .map(request -> GateInput.enrollment(request.userId(), true))
                  .name("to-enrollment")
                  .uid("to-enrollment"));
    }

    SingleOutputStreamOperator<PurchaseEvent> admitted =
        gateInputs
            .keyBy(GateInput::userId)
            .connect(snapshots)
            .process(new UserGate(settings.idListGrace()))
            .name("user-gate")
            .uid("user-gate");

    // The gate emits each purchase on the subtask that owns its user: no second shuffle.
    DataStream<PurchaseEvent> firstSeen =
        DataStreamUtils.reinterpretAsKeyedStream(admitted, PurchaseEvent::userId)
            .process(new PurchaseDeduplicator(settings.dedupTtl(), settings.logOnly()))
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

    DataStream<MergeInput> mergeInputs =
        enriched.map(MergeInput::live).name("to-merge-input").uid("to-merge-input");
    if (backfill != null) {
      SingleOutputStreamOperator<LoadOutcome> outcomes =
          env.fromSource(backfill.outcomes(), WatermarkStrategy.noWatermarks(), "load-outcomes")
              .uid("load-outcomes-source")
              .process(new DecodeLoadOutcomes())
              .name("decode-load-outcomes")
              .uid("decode-load-outcomes");
      deadLetters = deadLetters.union(outcomes.getSideOutput(DecodeAndFilter.DEAD_LETTERS));
      DataStream<UserLoadRequest> toLoad =
          requests
              .keyBy(UserLoadRequest::userId)
              .connect(outcomes.keyBy(LoadOutcome::userId))
              .process(new LoadCoordinator(backfill.loadedTtl(), backfill.inFlightTimeout()))
              .name("load-coordinator")
              .uid("load-coordinator");
      DataStream<UserHistory> histories =
          AsyncDataStream.unorderedWaitWithRetry(
                  toLoad,
                  new UserHistoryLoader(backfill.upstream(), backfill.maxRetries()),
                  backfill.loadTimeout().toMillis(),
                  TimeUnit.MILLISECONDS,
                  backfill.maxConcurrentLoads(),
                  UserHistoryLoader.retryStrategy(
                      backfill.maxRetries(), INITIAL_RETRY_DELAY, MAX_RETRY_DELAY))
              .name("load-user-history")
              .uid("load-user-history");
      mergeInputs =
          mergeInputs.union(
              histories.map(MergeInput::history).name("to-merge-history").uid("to-merge-history"));
    }

    SingleOutputStreamOperator<GraphUpdate> updates =
        mergeInputs
            .keyBy(MergeInput::userId)
            .process(new FullLoadMerger(settings.liveRetention()))
            .name("full-load-merger")
            .uid("full-load-merger");
    // Keyed again so one user's updates always reach the same writer, in order.
    updates
        .keyBy(GraphUpdate::userId)
        .sinkTo(graphSink)
        .name("neo4j-graph-sink")
        .uid("neo4j-graph-sink")
        .setParallelism(settings.sinkParallelism());

    if (backfill != null) {
      updates
          .getSideOutput(FullLoadMerger.OUTCOMES)
          .sinkTo(backfill.outcomeSink())
          .name("load-outcomes-sink")
          .uid("load-outcomes-sink");
      requests
          .getSideOutput(DecodeAndFilter.DEAD_LETTERS)
          .union(updates.getSideOutput(FullLoadMerger.FAILED_LOADS))
          .sinkTo(backfill.requestDeadLetters())
          .name("request-dead-letter-sink")
          .uid("request-dead-letter-sink");
    }

    deadLetters.sinkTo(deadLetterSink).name("dead-letter-sink").uid("dead-letter-sink");
  }
}
