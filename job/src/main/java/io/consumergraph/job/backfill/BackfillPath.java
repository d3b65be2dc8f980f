package io.consumergraph.job.backfill;

import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.MergeInput;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.model.UserHistory;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.backfill.AutoLoadThrottle;
import io.consumergraph.operators.backfill.LoadCoordinator;
import io.consumergraph.operators.backfill.LoadOutcomeDecoder;
import io.consumergraph.operators.backfill.LoadRequestDecoder;
import io.consumergraph.operators.backfill.UserHistoryLoader;
import io.consumergraph.operators.decode.DecodeAndFilter;
import io.consumergraph.operators.gate.GateInput;
import io.consumergraph.operators.merge.FullLoadMerger;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;

/**
 * The backfill path: {@code user_load_request}s from SQS, decided per user by the coordinator, each
 * loaded user's history fetched as one {@link UserHistory} for a FullLoad; the merger's load
 * outcomes come back to the coordinator through Kafka.
 *
 * <pre>
 * SQS ─► decode-load-requests ─► load-coordinator ─► load-user-history ─► merge inputs
 *            │   │                       │               (bulk requests)
 *            │   │                       └─► load-user-history-enrolled ─► merge inputs
 *            │   └─ enrollment-requests ─► gate        (enrollment queue's requests)
 *            └─ invalid ─► SQS DLQ          load-outcomes (Kafka) ◄─ merger
 *
 * gate's auto-load requests ─► auto-load-throttle ─► bulk queue (SQS), read back above
 * </pre>
 *
 * <p>{@link #none()} is the path of a job without a backfill queue: it adds nothing. The uids are
 * part of the savepoint format: never change one.
 */
public final class BackfillPath {

  /**
   * The backfill's sources: requests from SQS (those from {@code enrollmentQueue} also enroll their
   * user) and the load outcomes the merger wrote.
   */
  public record Inputs(
      Source<SourceRecord, ?, ?> requests,
      String enrollmentQueue,
      Source<SourceRecord, ?, ?> outcomes) {

    public Inputs {
      Objects.requireNonNull(requests, "requests");
      Objects.requireNonNull(enrollmentQueue, "enrollmentQueue");
      Objects.requireNonNull(outcomes, "outcomes");
    }
  }

  /**
   * Where the backfill's results go: load outcomes (read back as {@link Inputs#outcomes}) and the
   * requests that are invalid or whose load failed (the SQS dead-letter queue).
   */
  public record Outputs(Sink<LoadOutcome> outcomes, Sink<DeadLetter> requestDeadLetters) {

    public Outputs {
      Objects.requireNonNull(outcomes, "outcomes");
      Objects.requireNonNull(requestDeadLetters, "requestDeadLetters");
    }
  }

  /** Settings of the coordinator and the history loads. */
  public record Settings(
      Duration loadedTtl,
      Duration inFlightTimeout,
      int maxRetries,
      int maxConcurrentLoads,
      Duration loadTimeout) {

    public Settings {
      if (maxRetries < 0 || maxConcurrentLoads < 1 || loadTimeout.isNegative()) {
        throw new IllegalArgumentException("invalid backfill settings: " + this);
      }
    }
  }

  /**
   * What the path hands to the rest of the topology: enrollments for the gate, histories for the
   * merger, dead letters for the Kafka dead-letter topic, what it attaches to the merger, and the
   * source whose loads go to the merger's priority lane (the enrollment queue; empty for none).
   */
  public record Streams(
      List<DataStream<GateInput>> enrollments,
      List<DataStream<MergeInput>> histories,
      List<DataStream<DeadLetter>> deadLetters,
      MergerResults results,
      AutoLoads autoLoads,
      String priorityQueue) {}

  /** Sinks the path attaches to the merger's side outputs. */
  @FunctionalInterface
  public interface MergerResults {
    void sinkFrom(SingleOutputStreamOperator<GraphUpdate> merger);
  }

  /** Where the gate's load requests for newly enabled users go. */
  @FunctionalInterface
  public interface AutoLoads {
    void sinkFrom(DataStream<UserLoadRequest> requests);
  }

  /**
   * Sends the gate's requests to the bulk queue at most {@code ratePerSecond} per subtask.
   *
   * @param sink the bulk queue (a logging sink in a log-only run)
   */
  public record AutoLoadOutput(Sink<UserLoadRequest> sink, double ratePerSecond) {

    public AutoLoadOutput {
      Objects.requireNonNull(sink, "sink");
    }
  }

  private static final Streams NOTHING =
      new Streams(List.of(), List.of(), List.of(), merger -> {}, requests -> {}, "");

  private final Inputs inputs;
  private final Outputs outputs;
  private final AsyncFunction<UserLoadRequest, UserHistory> loader;
  private final Settings settings;
  private final AutoLoadOutput autoLoadOutput;

  /**
   * @param loader loads one user's history; {@link UserHistoryLoader} in the job. Its retries are
   *     {@link UserHistoryLoader#retryStrategy(int)} with {@link Settings#maxRetries()}.
   */
  public BackfillPath(
      Inputs inputs,
      Outputs outputs,
      AsyncFunction<UserLoadRequest, UserHistory> loader,
      Settings settings) {
    this(inputs, outputs, loader, settings, null);
  }

  private BackfillPath(
      Inputs inputs,
      Outputs outputs,
      AsyncFunction<UserLoadRequest, UserHistory> loader,
      Settings settings,
      AutoLoadOutput autoLoadOutput) {
    this.inputs = Objects.requireNonNull(inputs, "inputs");
    this.outputs = Objects.requireNonNull(outputs, "outputs");
    this.loader = Objects.requireNonNull(loader, "loader");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.autoLoadOutput = autoLoadOutput;
  }

  /** The same path, also sending the gate's auto-load requests to the bulk queue. */
  public BackfillPath withAutoLoads(AutoLoadOutput output) {
    if (inputs == null) {
      throw new IllegalStateException("auto-load needs a backfill queue");
    }
    return new BackfillPath(inputs, outputs, loader, settings, Objects.requireNonNull(output));
  }

  /** Whether the gate's auto-load requests go anywhere. */
  public boolean autoLoads() {
    return autoLoadOutput != null;
  }

  /** The path of a job without a backfill queue. */
  public static BackfillPath none() {
    return new BackfillPath();
  }

  private BackfillPath() {
    this.inputs = null;
    this.outputs = null;
    this.loader = null;
    this.settings = null;
    this.autoLoadOutput = null;
  }

  /** Adds the backfill path to {@code env}; {@link #none()} adds nothing. */
  public Streams build(StreamExecutionEnvironment env) {
    if (inputs == null) {
      return NOTHING;
    }
    SingleOutputStreamOperator<UserLoadRequest> requests =
        env.fromSource(inputs.requests(), WatermarkStrategy.noWatermarks(), "load-requests")
            .uid("load-requests-source")
            .process(new DecodeAndFilter<>(new LoadRequestDecoder()))
            .name("decode-load-requests")
            .uid("decode-load-requests")
            // One request per network buffer: under a bulk backlog the loads hold the exchange to
            // the coordinator back, and full 32 KB buffers would queue ~100 bulk requests each
            // ahead of an enrollment the source has already put first. Requests are few and small.
            .setBufferTimeout(0);
    String enrollmentQueue = inputs.enrollmentQueue();
    DataStream<GateInput> enrollments =
        requests
            .filter(request -> request.source().equals(enrollmentQueue))
            .name("enrollment-requests")
            .uid("enrollment-requests")
            .map(request -> GateInput.enrollment(request.userId(), true))
            .name("to-enrollment")
            .uid("to-enrollment");

    SingleOutputStreamOperator<LoadOutcome> outcomes =
        env.fromSource(inputs.outcomes(), WatermarkStrategy.noWatermarks(), "load-outcomes")
            .uid("load-outcomes-source")
            .process(new DecodeAndFilter<>(new LoadOutcomeDecoder()))
            .name("decode-load-outcomes")
            .uid("decode-load-outcomes");
    DataStream<UserLoadRequest> toLoad =
        requests
            .keyBy(UserLoadRequest::userId)
            .connect(outcomes.keyBy(LoadOutcome::userId))
            .process(new LoadCoordinator(settings.loadedTtl(), settings.inFlightTimeout()))
            .name("load-coordinator")
            .uid("load-coordinator");
    List<DataStream<MergeInput>> histories;
    if (enrollmentQueue.isEmpty()) {
      histories = List.of(histories(toLoad, "load-user-history", "to-merge-history"));
    } else {
      // Enrollments get a loader of their own: behind a bulk backfill the bulk loader's slots are
      // all taken and its output waits on the Neo4j sink, and an enrollment queued behind them
      // waited seconds. The merger sends the enrolled user's FullLoad to a Neo4j writer of its
      // own too (FullLoadMerger.PRIORITY).
      DataStream<UserLoadRequest> bulkLoads =
          toLoad
              .filter(request -> !request.source().equals(enrollmentQueue))
              .name("bulk-load-requests")
              .uid("bulk-load-requests");
      DataStream<UserLoadRequest> enrolledLoads =
          toLoad
              .filter(request -> request.source().equals(enrollmentQueue))
              .name("enrolled-load-requests")
              .uid("enrolled-load-requests");
      histories =
          List.of(
              histories(bulkLoads, "load-user-history", "to-merge-history"),
              histories(enrolledLoads, "load-user-history-enrolled", "to-merge-history-enrolled"));
    }

    MergerResults results =
        merger -> {
          merger
              .getSideOutput(FullLoadMerger.OUTCOMES)
              .sinkTo(outputs.outcomes())
              .name("load-outcomes-sink")
              .uid("load-outcomes-sink");
          requests
              .getSideOutput(DecodeAndFilter.DEAD_LETTERS)
              .union(merger.getSideOutput(FullLoadMerger.FAILED_LOADS))
              .sinkTo(outputs.requestDeadLetters())
              .name("request-dead-letter-sink")
              .uid("request-dead-letter-sink");
        };
    AutoLoads autoLoads =
        autoLoadOutput == null
            ? gateRequests -> {}
            : gateRequests ->
                gateRequests
                    .keyBy(UserLoadRequest::userId)
                    .process(new AutoLoadThrottle(autoLoadOutput.ratePerSecond()))
                    .name("auto-load-throttle")
                    .uid("auto-load-throttle")
                    .sinkTo(autoLoadOutput.sink())
                    .name("auto-load-requests-sink")
                    .uid("auto-load-requests-sink");
    return new Streams(
        List.of(enrollments),
        histories,
        List.of(outcomes.getSideOutput(DecodeAndFilter.DEAD_LETTERS)),
        results,
        autoLoads,
        enrollmentQueue);
  }

  /** The histories of {@code requests}, loaded with the path's loader and settings. */
  private DataStream<MergeInput> histories(
      DataStream<UserLoadRequest> requests, String loaderUid, String toMergeUid) {
    return AsyncDataStream.unorderedWaitWithRetry(
            requests,
            loader,
            settings.loadTimeout().toMillis(),
            TimeUnit.MILLISECONDS,
            settings.maxConcurrentLoads(),
            UserHistoryLoader.retryStrategy(settings.maxRetries()))
        .name(loaderUid)
        .uid(loaderUid)
        .map(MergeInput::history)
        .name(toMergeUid)
        .uid(toMergeUid);
  }
}
