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
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Turns live purchases and loaded histories into graph updates, keyed by user.
 *
 * <p>A live purchase becomes a FullLoad=false update and is remembered for {@code liveRetention}. A
 * loaded history becomes one FullLoad=true update holding the history merged with the user's
 * remembered live purchases: a live purchase applied after the history was fetched (or missing from
 * it) survives the overwrite, and one that is in both counts once. Every load's outcome goes to
 * {@link #OUTCOMES}; a failed load's request goes to {@link #FAILED_LOADS}.
 */
public final class FullLoadMerger extends KeyedProcessFunction<String, MergeInput, GraphUpdate> {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  public static final OutputTag<LoadOutcome> OUTCOMES = new OutputTag<>("load-outcomes") {};
  public static final OutputTag<DeadLetter> FAILED_LOADS = new OutputTag<>("failed-loads") {};

  /** State name: part of the savepoint format, never rename. */
  static final String RECENT_LIVE = "recent-live-purchases";

  private final Duration liveRetention;

  private transient MapState<String, EnrichedPurchase> recentLive;
  private transient Counter liveUpdates;
  private transient Counter fullLoads;
  private transient Counter liveMerged;
  private transient Counter failedLoads;
  private transient Counter enrichmentIncomplete;

  public FullLoadMerger(Duration liveRetention) {
    this.liveRetention = liveRetention;
  }

  @Override
  public void open(OpenContext openContext) {
    MapStateDescriptor<String, EnrichedPurchase> descriptor =
        new MapStateDescriptor<>(RECENT_LIVE, Types.STRING, Types.POJO(EnrichedPurchase.class));
    descriptor.enableTimeToLive(StateTtl.afterWrite(liveRetention));
    recentLive = getRuntimeContext().getMapState(descriptor);
    var metrics = MetricGroups.of(getRuntimeContext());
    liveUpdates = metrics.counter("liveUpdates");
    fullLoads = metrics.counter("fullLoads");
    liveMerged = metrics.counter("liveMergedIntoFullLoads");
    failedLoads = metrics.counter("failedLoads");
    enrichmentIncomplete = metrics.counter("enrichmentIncomplete");
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
      out.collect(GraphUpdate.live(purchase, now));
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
    out.collect(
        GraphUpdate.fullLoad(
            request.userId(),
            now,
            UserHistoryLoader.startTimeMs(request, history.fetchedAtMs()),
            merged.values().toArray(EnrichedPurchase[]::new)));
    ctx.output(OUTCOMES, new LoadOutcome(request.userId(), request.requestId(), true, now));
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
