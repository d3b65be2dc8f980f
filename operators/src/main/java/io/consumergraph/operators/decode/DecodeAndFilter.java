package io.consumergraph.operators.decode;

import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.SourceRecord;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes the records of one input with a {@link PurchaseDecoder}: accepted purchases go
 * downstream, filtered events are counted per reason, and rejected records go to the {@link
 * #DEAD_LETTERS} side output with their reason and source coordinates.
 */
public final class DecodeAndFilter extends ProcessFunction<SourceRecord, PurchaseEvent> {

  private static final long serialVersionUID = 1L;

  /** Records that could not be decoded or failed validation. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final PurchaseDecoder decoder;

  private transient Counter accepted;
  private transient Counter deadLettered;
  private transient Counter itemsWithoutFido;
  private transient Map<FilterReason, Counter> filtered;
  private transient MetricGroup filteredGroup;

  public DecodeAndFilter(PurchaseDecoder decoder) {
    this.decoder = decoder;
  }

  @Override
  public void open(OpenContext openContext) {
    MetricGroup metrics = getRuntimeContext().getMetricGroup();
    accepted = metrics.counter("accepted");
    deadLettered = metrics.counter("deadLettered");
    itemsWithoutFido = metrics.counter("itemsWithoutFido");
    filtered = new EnumMap<>(FilterReason.class);
    filteredGroup = metrics.addGroup("filtered");
    for (FilterReason reason : decoder.filterReasons()) {
      filtered.put(reason, filteredGroup.counter(reason.metricName()));
    }
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<PurchaseEvent> out) {
    long now = ctx.timerService().currentProcessingTime();
    DecodeResult result;
    try {
      result = decoder.decode(record.value(), now);
    } catch (RuntimeException e) {
      // A decoder bug must not stop the stream; the record is kept in the dead-letter topic.
      result = new DecodeResult.Rejected("decoder-error", e.toString());
    }
    if (result instanceof DecodeResult.Accepted a) {
      accepted.inc();
      itemsWithoutFido.inc(a.droppedItems());
      out.collect(a.event());
    } else if (result instanceof DecodeResult.Filtered f) {
      // A reason the decoder did not declare still gets counted rather than lost.
      filtered.computeIfAbsent(f.reason(), r -> filteredGroup.counter(r.metricName())).inc();
    } else if (result instanceof DecodeResult.Rejected r) {
      deadLettered.inc();
      ctx.output(DEAD_LETTERS, DeadLetter.of(record, r.reason(), r.detail(), now));
    }
  }
}
