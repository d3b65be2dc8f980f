package io.consumergraph.operators.backfill;

import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.metrics.MetricGroups;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets the gate's automatic load requests through at most {@code ratePerSecond} per subtask,
 * without ever slowing the live path that made them: each request gets the next free slot, waits
 * for it in keyed state under a processing-time timer, and goes on when the timer fires. A second
 * request for a user whose request still waits joins it (forced if either was).
 *
 * <p>The next free slot is operator state (the latest of all subtasks' after a rescale), so a
 * restore does not let new requests overtake the waiting ones. Keyed by user id. State names are
 * part of the savepoint format: never rename one.
 */
public final class AutoLoadThrottle
    extends KeyedProcessFunction<String, UserLoadRequest, UserLoadRequest>
    implements CheckpointedFunction {

  private static final long serialVersionUID = 1L;

  static final String PENDING_STATE = "auto-load-pending";
  static final String NEXT_SLOT_STATE = "auto-load-next-slot";

  /** Metric group of the throttle's counters and gauge, under the operator. */
  public static final String GROUP = "autoLoads";

  private final double ratePerSecond;

  private transient ValueState<UserLoadRequest> pending;
  private transient ListState<Long> nextSlotState;
  private transient long intervalMicros;
  private transient long nextSlotMicros;
  private transient Counter scheduled;
  private transient Counter joined;
  private transient Counter sent;

  /**
   * @param ratePerSecond requests let through per second on each subtask
   */
  public AutoLoadThrottle(double ratePerSecond) {
    if (!(ratePerSecond > 0) || Double.isInfinite(ratePerSecond)) {
      throw new IllegalArgumentException(
          "the auto-load rate must be a positive number of requests per second: " + ratePerSecond);
    }
    this.ratePerSecond = ratePerSecond;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    nextSlotState =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>(NEXT_SLOT_STATE, Types.LONG));
    for (Long slot : nextSlotState.get()) {
      nextSlotMicros = Math.max(nextSlotMicros, slot);
    }
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    nextSlotState.update(java.util.List.of(nextSlotMicros));
  }

  @Override
  public void open(OpenContext openContext) {
    intervalMicros = Math.max(1, Math.round(1_000_000 / ratePerSecond));
    pending =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>(PENDING_STATE, Types.POJO(UserLoadRequest.class)));
    var metrics = MetricGroups.of(getRuntimeContext()).addGroup(GROUP);
    scheduled = metrics.counter("scheduled");
    joined = metrics.counter("joined");
    sent = metrics.counter("sent");
    metrics.gauge("waiting", this::waiting);
  }

  @Override
  public void processElement(UserLoadRequest request, Context ctx, Collector<UserLoadRequest> out)
      throws Exception {
    UserLoadRequest waiting = pending.value();
    if (waiting != null) {
      joined.inc();
      if (request.force() && !waiting.force()) {
        pending.update(request);
      }
      return;
    }
    long nowMicros = ctx.timerService().currentProcessingTime() * 1000;
    long slot = Math.max(nowMicros, nextSlotMicros);
    nextSlotMicros = slot + intervalMicros;
    pending.update(request);
    scheduled.inc();
    ctx.timerService().registerProcessingTimeTimer(slot / 1000);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<UserLoadRequest> out)
      throws Exception {
    UserLoadRequest request = pending.value();
    if (request != null) {
      pending.clear();
      sent.inc();
      out.collect(request);
    }
  }

  /** About how many requests wait for their slot: the time booked ahead over the interval. */
  private long waiting() {
    long ahead = nextSlotMicros - System.currentTimeMillis() * 1000;
    return ahead <= 0 ? 0 : ahead / intervalMicros;
  }
}
