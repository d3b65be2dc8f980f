package io.consumergraph.operators.dedup;

import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.operators.metrics.MetricGroups;
import io.consumergraph.operators.state.StateTtl;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops a purchase whose id this user has already had within the TTL, before it costs an enrichment
 * call or a Neo4j write. Keyed by user id; the state is the set of recent purchase ids.
 *
 * <p>This is an optimisation, not the correctness guarantee: a duplicate older than the TTL still
 * reaches the sink, whose purchase-id de-duplication makes it a no-op.
 */
public final class PurchaseDeduplicator
    extends KeyedProcessFunction<String, PurchaseEvent, PurchaseEvent> {

  private static final long serialVersionUID = 1L;

  /** State name: part of the savepoint format, never rename. */
  public static final String SEEN_STATE = "seen-purchase-ids";

  private final Duration ttl;
  private final boolean logOnly;

  private transient MapState<String, Long> seen;
  private transient Counter firstSeen;
  private transient Counter duplicates;

  public PurchaseDeduplicator(Duration ttl) {
    this(ttl, false);
  }

  /**
   * {@code logOnly}: a dry run checks against the ids it knows but records none, so a later real
   * run does not drop what the dry run saw as a duplicate.
   */
  public PurchaseDeduplicator(Duration ttl, boolean logOnly) {
    this.ttl = ttl;
    this.logOnly = logOnly;
  }

  @Override
  public void open(OpenContext openContext) {
    StateTtlConfig ttlConfig = StateTtl.builder(ttl).cleanupIncrementally(10, false).build();
    MapStateDescriptor<String, Long> descriptor =
        new MapStateDescriptor<>(SEEN_STATE, Types.STRING, Types.LONG);
    descriptor.enableTimeToLive(ttlConfig);
    seen = getRuntimeContext().getMapState(descriptor);
    firstSeen = MetricGroups.of(getRuntimeContext()).counter("purchasesFirstSeen");
    duplicates = MetricGroups.of(getRuntimeContext()).counter("duplicatesDropped");
  }

  @Override
  public void processElement(PurchaseEvent event, Context ctx, Collector<PurchaseEvent> out)
      throws Exception {
    if (seen.contains(event.purchaseId())) {
      duplicates.inc();
      return;
    }
    if (!logOnly) {
      seen.put(event.purchaseId(), ctx.timerService().currentProcessingTime());
    }
    firstSeen.inc();
    out.collect(event);
  }
}
