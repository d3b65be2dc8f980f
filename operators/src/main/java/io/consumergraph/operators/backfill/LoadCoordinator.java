package io.consumergraph.operators.backfill;

import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.metrics.MetricGroups;
import io.consumergraph.operators.state.StateTtl;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides which load requests run, keyed by user: a request id already seen is a redelivery; a user
 * loaded within the loaded-user TTL is skipped unless the request says {@code force}; a user whose
 * load is in flight is not loaded twice at once: a request arriving meanwhile waits (one per user,
 * the newest, {@code force} kept if any waiting request had it) and is decided when the load ends.
 * That includes a request with the id of the load in flight: a redelivery, or the same request
 * re-driven from the dead-letter queue before its failure came back; it runs if that load fails.
 *
 * <p>The first input is requests, the second the outcomes of loads, fed back from the merger once
 * the checkpoint that covers the FullLoad's write has completed. Only the outcome of the load in
 * flight counts: a success marks the user loaded; a failure clears the in-flight mark and forgets
 * the request id, so the same request re-driven from the dead-letter queue runs again. An outcome
 * of any other request (one whose in-flight mark expired, or an old outcome re-read by a replay
 * with fresh state) is ignored.
 */
public final class LoadCoordinator
    extends KeyedCoProcessFunction<String, UserLoadRequest, LoadOutcome, UserLoadRequest> {

  private static final long serialVersionUID = 1L;

  /** State names: part of the savepoint format, never rename. */
  static final String SEEN_REQUESTS = "seen-load-requests";

  static final String LOADED_AT = "loaded-at";
  static final String IN_FLIGHT = "load-in-flight";
  static final String IN_FLIGHT_SINCE = "load-in-flight-since";
  static final String WAITING = "load-request-waiting";

  private final Duration loadedTtl;
  private final Duration inFlightTimeout;

  private transient MapState<String, Long> seenRequests;
  private transient ValueState<Long> loadedAt;
  private transient ValueState<String> inFlight;
  private transient ValueState<Long> inFlightSince;
  private transient ValueState<UserLoadRequest> waiting;
  private transient Counter started;
  private transient Counter redelivered;
  private transient Counter skippedRecentlyLoaded;
  private transient Counter waitingBehindInFlight;
  private transient Counter succeeded;
  private transient Counter failed;
  private transient Counter inFlightExpired;
  private transient Counter outcomesIgnored;

  public LoadCoordinator(Duration loadedTtl, Duration inFlightTimeout) {
    this.loadedTtl = loadedTtl;
    this.inFlightTimeout = inFlightTimeout;
  }

  @Override
  public void open(OpenContext openContext) {
    StateTtlConfig ttl = StateTtl.afterWrite(loadedTtl);
    MapStateDescriptor<String, Long> seen =
        new MapStateDescriptor<>(SEEN_REQUESTS, Types.STRING, Types.LONG);
    seen.enableTimeToLive(ttl);
    ValueStateDescriptor<Long> loaded = new ValueStateDescriptor<>(LOADED_AT, Types.LONG);
    loaded.enableTimeToLive(ttl);
    seenRequests = getRuntimeContext().getMapState(seen);
    loadedAt = getRuntimeContext().getState(loaded);
    inFlight = getRuntimeContext().getState(new ValueStateDescriptor<>(IN_FLIGHT, Types.STRING));
    inFlightSince =
        getRuntimeContext().getState(new ValueStateDescriptor<>(IN_FLIGHT_SINCE, Types.LONG));
    waiting =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>(WAITING, Types.POJO(UserLoadRequest.class)));
    var metrics = MetricGroups.of(getRuntimeContext()).addGroup("loads");
    started = metrics.counter("started");
    redelivered = metrics.counter("redelivered");
    skippedRecentlyLoaded = metrics.counter("skippedRecentlyLoaded");
    waitingBehindInFlight = metrics.counter("waitingBehindInFlight");
    succeeded = metrics.counter("succeeded");
    failed = metrics.counter("failed");
    inFlightExpired = metrics.counter("inFlightExpired");
    outcomesIgnored = metrics.counter("outcomesIgnored");
  }

  @Override
  public void processElement1(UserLoadRequest request, Context ctx, Collector<UserLoadRequest> out)
      throws Exception {
    String running = inFlight.value();
    if (request.requestId().equals(running)) {
      // A redelivery of the request in flight, or the same request re-driven from the
      // dead-letter queue before its failure got here: it waits, and runs only if that load
      // fails (or is forced).
      redelivered.inc();
      waitBehind(request);
      return;
    }
    if (seenRequests.contains(request.requestId())) {
      redelivered.inc();
      return;
    }
    if (running != null) {
      seenRequests.put(request.requestId(), ctx.timerService().currentProcessingTime());
      waitBehind(request);
      return;
    }
    decide(request, ctx, out);
  }

  private void waitBehind(UserLoadRequest request) throws Exception {
    UserLoadRequest before = waiting.value();
    waiting.update(before == null ? request : newerOf(before, request));
    waitingBehindInFlight.inc();
  }

  @Override
  public void processElement2(LoadOutcome outcome, Context ctx, Collector<UserLoadRequest> out)
      throws Exception {
    if (!outcome.requestId().equals(inFlight.value())) {
      outcomesIgnored.inc();
      return;
    }
    if (outcome.succeeded()) {
      succeeded.inc();
      Long loaded = loadedAt.value();
      if (loaded == null || outcome.atMs() > loaded) {
        loadedAt.update(outcome.atMs());
      }
    } else {
      failed.inc();
      seenRequests.remove(outcome.requestId());
    }
    endInFlight(ctx, out);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<UserLoadRequest> out)
      throws Exception {
    Long since = inFlightSince.value();
    // An outcome that never came (lost feedback) must not block the user forever.
    if (since != null && timestamp >= since + inFlightTimeout.toMillis()) {
      inFlightExpired.inc();
      // Its outcome is unknown: the same request, redelivered or re-driven, may run again.
      seenRequests.remove(inFlight.value());
      endInFlight(ctx, out);
    }
  }

  private void endInFlight(Context ctx, Collector<UserLoadRequest> out) throws Exception {
    inFlight.clear();
    inFlightSince.clear();
    UserLoadRequest next = waiting.value();
    if (next != null) {
      waiting.clear();
      decide(next, ctx, out);
    }
  }

  /** Starts the load unless the user was loaded within the TTL and the request does not force. */
  private void decide(UserLoadRequest request, Context ctx, Collector<UserLoadRequest> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    // Marked seen once decided, skipped or started: a redelivery after this is dropped.
    seenRequests.put(request.requestId(), now);
    if (loadedAt.value() != null && !request.force()) {
      skippedRecentlyLoaded.inc();
      return;
    }
    inFlight.update(request.requestId());
    inFlightSince.update(now);
    ctx.timerService().registerProcessingTimeTimer(now + inFlightTimeout.toMillis());
    started.inc();
    out.collect(request);
  }

  /**
   * One waiting request stands for all that arrived during a load: the newest, forced if any was.
   */
  static UserLoadRequest newerOf(UserLoadRequest before, UserLoadRequest after) {
    boolean force = before.force() || after.force();
    int lookback = Math.max(before.lookbackDays(), after.lookbackDays());
    return new UserLoadRequest(
        after.requestId(),
        after.userId(),
        after.reason(),
        after.requestedAtMs(),
        lookback,
        after.priority(),
        force,
        after.source());
  }
}
