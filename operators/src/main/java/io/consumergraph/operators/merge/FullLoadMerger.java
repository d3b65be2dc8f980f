package io.consumergraph.operators.merge;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.MergeInput;
import io.consumergraph.model.UserHistory;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.backfill.UserHistoryLoader;
import io.consumergraph.operators.backfill.UserLoadRequestParser;
import io.consumergraph.operators.metrics.MetricGroups;
import io.consumergraph.operators.state.StateTtl;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns live purchases and loaded histories into graph updates, keyed by user.
 *
 * <p>A live purchase becomes a FullLoad=false update and is remembered for {@code liveRetention}. A
 * loaded history becomes one FullLoad=true update holding the history merged with the user's
 * remembered live purchases: a live purchase applied after the history was fetched (or missing from
 * it) survives the overwrite, and one that is in both counts once. Every load's outcome goes to
 * {@link #OUTCOMES}; a failed load's request goes to {@link #FAILED_LOADS}.
 *
 * <p><b>The priority lane.</b> A user loaded from the {@code priorityQueue} (the enrollment queue)
 * is someone waiting for their graph. Their FullLoad, and every update of theirs for {@code
 * liveRetention} after it, go to {@link #PRIORITY} instead of the main output: the topology writes
 * that stream with a Neo4j sink of its own, so an enrollment does not queue behind a bulk
 * backfill's FullLoads in the bulk sink's buffers and batches. Moving a user to the lane (and back,
 * once the mark expires) can reorder the user's updates across the two sinks, which the graph
 * contract tolerates:
 *
 * <ul>
 *   <li>live updates only add ids, so they commute with each other;
 *   <li>a FullLoad carries the user's remembered live purchases, so a live update written after it
 *       adds nothing it does not hold, and one written before it is kept by it;
 *   <li>two FullLoads of one user never meet in the sinks: the load coordinator starts a user's
 *       next load only once the outcome of the one before has come back, which is after the
 *       checkpoint that flushed both sinks.
 * </ul>
 *
 * Two cases fall outside these rules, both healed by the user's next FullLoad: a load whose outcome
 * has not come back within {@code backfill.in-flight-timeout} (30 min of failing checkpoints) no
 * longer holds the next one back, so two FullLoads could meet; and a live purchase whose products
 * were enriched differently from the history's copy of it (a category that changed in between)
 * keeps its own categories when it is written after the FullLoad.
 */
public final class FullLoadMerger extends KeyedProcessFunction<String, MergeInput, GraphUpdate> {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(FullLoadMerger.class);

  /** Enrollments the latency histograms keep. */
  private static final int HISTOGRAM_WINDOW = 256;

  public static final OutputTag<LoadOutcome> OUTCOMES = new OutputTag<>("load-outcomes") {};
  public static final OutputTag<DeadLetter> FAILED_LOADS = new OutputTag<>("failed-loads") {};

  /** The updates of users in the priority lane; see the class comment. */
  public static final OutputTag<GraphUpdate> PRIORITY = new OutputTag<>("priority-updates") {};

  /** State name: part of the savepoint format, never rename. */
  static final String RECENT_LIVE = "recent-live-purchases";

  /** State name: part of the savepoint format, never rename. */
  static final String PRIORITY_LANE = "priority-lane";

  private final Duration liveRetention;
  private final String priorityQueue;

  private transient MapState<String, EnrichedPurchase> recentLive;
  private transient ValueState<Boolean> inPriorityLane;
  private transient Counter priorityUpdates;
  private transient Histogram enrollmentWaitMs;
  private transient Histogram enrollmentLoadMs;
  private transient Counter liveUpdates;
  private transient Counter fullLoads;
  private transient Counter liveMerged;
  private transient Counter failedLoads;
  private transient Counter enrichmentIncomplete;

  /** A merger without a priority lane. */
  public FullLoadMerger(Duration liveRetention) {
    this(liveRetention, "");
  }

  /**
   * @param priorityQueue the source of the requests whose users go to the priority lane (the
   *     enrollment queue's URL); empty for none
   */
  public FullLoadMerger(Duration liveRetention, String priorityQueue) {
    this.liveRetention = liveRetention;
    this.priorityQueue = Objects.requireNonNull(priorityQueue, "priorityQueue");
  }

  @Override
  public void open(OpenContext openContext) {
    MapStateDescriptor<String, EnrichedPurchase> descriptor =
        new MapStateDescriptor<>(RECENT_LIVE, Types.STRING, Types.POJO(EnrichedPurchase.class));
    descriptor.enableTimeToLive(StateTtl.afterWrite(liveRetention));
    recentLive = getRuntimeContext().getMapState(descriptor);
    ValueStateDescriptor<Boolean> lane = new ValueStateDescriptor<>(PRIORITY_LANE, Types.BOOLEAN);
    lane.enableTimeToLive(StateTtl.afterWrite(liveRetention));
    inPriorityLane = getRuntimeContext().getState(lane);
    var metrics = MetricGroups.of(getRuntimeContext());
    liveUpdates = metrics.counter("liveUpdates");
    fullLoads = metrics.counter("fullLoads");
    liveMerged = metrics.counter("liveMergedIntoFullLoads");
    failedLoads = metrics.counter("failedLoads");
    enrichmentIncomplete = metrics.counter("enrichmentIncomplete");
    priorityUpdates = metrics.counter("priorityUpdates");
    enrollmentWaitMs =
        metrics.histogram("enrollmentWaitMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
    enrollmentLoadMs =
        metrics.histogram("enrollmentLoadMs", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
  }

  @Override
  public void processElement(MergeInput input, Context ctx, Collector<GraphUpdate> out)
      throws Exception {
    long now = ctx.timerService().currentProcessingTime();
    if (input.live() != null) {
      EnrichedPurchase purchase = input.live();
      if (!purchase.enrichmentComplete()) {
        enrichmentIncomplete.inc();
      }
      recentLive.put(purchase.purchaseId(), purchase);
      liveUpdates.inc();
      emit(GraphUpdate.live(purchase, now), ctx, out);
      return;
    }
    UserHistory history = input.history();
    UserLoadRequest request = history.request();
    if (history.failed()) {
      failedLoads.inc();
      ctx.output(OUTCOMES, new LoadOutcome(request.userId(), request.requestId(), false, now));
      ctx.output(FAILED_LOADS, deadLetter(request, history.failure(), now));
      return;
    }
    Map<String, EnrichedPurchase> merged = new LinkedHashMap<>();
    for (EnrichedPurchase purchase : history.purchases()) {
      merged.putIfAbsent(purchase.purchaseId(), purchase);
    }
    for (EnrichedPurchase live : recentLive.values()) {
      if (merged.putIfAbsent(live.purchaseId(), live) == null) {
        liveMerged.inc();
      }
    }
    fullLoads.inc();
    if (!priorityQueue.isEmpty() && priorityQueue.equals(request.source())) {
      inPriorityLane.update(true);
      // Where an enrollment's time goes before the Neo4j writer: from its requested_at (the
      // sender's clock) to its load starting, and from there to here.
      long waitMs = history.fetchedAtMs() - request.requestedAtMs();
      long loadMs = now - history.fetchedAtMs();
      enrollmentWaitMs.update(waitMs);
      enrollmentLoadMs.update(loadMs);
      LOG.info(
          "Enrollment FullLoad of user {} ({} purchases) to the priority writer: its load started"
              + " {} ms after requested_at and took {} ms to reach the merger",
          request.userId(),
          merged.size(),
          waitMs,
          loadMs);
    }
    emit(
        GraphUpdate.fullLoad(
            request.userId(),
            now,
            UserHistoryLoader.startTimeMs(request, history.fetchedAtMs()),
            merged.values().toArray(EnrichedPurchase[]::new)),
        ctx,
        out);
    ctx.output(OUTCOMES, new LoadOutcome(request.userId(), request.requestId(), true, now));
  }

  private void emit(GraphUpdate update, Context ctx, Collector<GraphUpdate> out) throws Exception {
    if (Boolean.TRUE.equals(inPriorityLane.value())) {
      priorityUpdates.inc();
      ctx.output(PRIORITY, update);
    } else {
      out.collect(update);
    }
  }

  /** The request as the JSON it came as, so it can be re-driven from the dead-letter queue. */
  static DeadLetter deadLetter(UserLoadRequest request, String failure, long nowMs) {
    ObjectNode json = JSON.createObjectNode();
    json.put("event_type", UserLoadRequestParser.EVENT_TYPE);
    json.put("user_id", request.userId());
    json.put("reason", request.reason());
    json.put("requested_at", Instant.ofEpochMilli(request.requestedAtMs()).toString());
    json.put("lookback_days", request.lookbackDays());
    json.put("request_id", request.requestId());
    json.put("priority", request.priority());
    json.put("force", request.force());
    return new DeadLetter(
        "load-failed",
        failure,
        request.source(),
        -1,
        -1,
        json.toString().getBytes(StandardCharsets.UTF_8),
        nowMs);
  }
}
