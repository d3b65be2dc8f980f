package io.consumergraph.operators.decode;

import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.operators.metrics.MetricGroups;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decodes the records of one input with a {@link RecordDecoder}: accepted values go downstream,
 * filtered events are counted per reason, and rejected records go to the {@link #DEAD_LETTERS} side
 * output with their reason and source coordinates. Metrics: {@code accepted}, {@code deadLettered},
 * {@code filtered.<reason>}, and {@code itemsWithoutFido} for purchase decoders.
 */
public final class DecodeAndFilter<T> extends ProcessFunction<SourceRecord, T>
    implements ResultTypeQueryable<T> {

  private static final long serialVersionUID = 1L;

  /** Records that could not be decoded or failed validation. */
  public static final OutputTag<DeadLetter> DEAD_LETTERS = new OutputTag<>("dead-letters") {};

  private final RecordDecoder<T> decoder;

  private transient Counter accepted;
  private transient Counter deadLettered;
  private transient Counter itemsWithoutFido;
  private transient Map<FilterReason, Counter> filtered;
  private transient MetricGroup metrics;
  private transient MetricGroup filteredGroup;

  public DecodeAndFilter(RecordDecoder<T> decoder) {
    this.decoder = decoder;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return decoder.producedType();
  }

  @Override
  public void open(OpenContext openContext) {
    metrics = MetricGroups.of(getRuntimeContext());
    accepted = metrics.counter("accepted");
    deadLettered = metrics.counter("deadLettered");
    if (decoder.dropsItems()) {
      itemsWithoutFido = metrics.counter("itemsWithoutFido");
    }
    filtered = new EnumMap<>(FilterReason.class);
    for (FilterReason reason : decoder.filterReasons()) {
      filtered.put(reason, filteredCounter(reason));
    }
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<T> out) {
    long now = ctx.timerService().currentProcessingTime();
    DecodeResult<T> result;
    try {
      result = decoder.decode(record, now);
    } catch (RuntimeException e) {
      // A decoder bug must not stop the stream; the record is kept in the dead-letter topic.
      result = new DecodeResult.Rejected<>("decoder-error", e.toString());
    }
    if (result instanceof DecodeResult.Accepted<T> a) {
      accepted.inc();
      if (itemsWithoutFido != null) {
        itemsWithoutFido.inc(a.droppedItems());
      }
      out.collect(a.value());
    } else if (result instanceof DecodeResult.Filtered<T> f) {
      // A reason the decoder did not declare still gets counted rather than lost.
      filtered.computeIfAbsent(f.reason(), this::filteredCounter).inc();
    } else if (result instanceof DecodeResult.Rejected<T> r) {
      deadLettered.inc();
      ctx.output(DEAD_LETTERS, DeadLetter.of(record, r.reason(), r.detail(), now));
    }
  }

  private Counter filteredCounter(FilterReason reason) {
    if (filteredGroup == null) {
      filteredGroup = metrics.addGroup("filtered");
    }
    return filteredGroup.counter(reason.metricName());
  }
}
