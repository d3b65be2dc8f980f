package io.consumergraph.operators.backfill;

import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.decode.DecodeAndFilter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Validates {@code user_load_request} messages; an invalid one goes to the dead-letter output with
 * every problem found, and the job goes on.
 */
public final class DecodeLoadRequests extends ProcessFunction<SourceRecord, UserLoadRequest> {

  private static final long serialVersionUID = 1L;

  private transient Counter accepted;
  private transient Counter invalid;

  @Override
  public void open(OpenContext openContext) {
    accepted = getRuntimeContext().getMetricGroup().counter("accepted");
    invalid = getRuntimeContext().getMetricGroup().counter("deadLettered");
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<UserLoadRequest> out) {
    String body = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
    UserLoadRequestParser.Parsed parsed = UserLoadRequestParser.parse(body, record.topic());
    if (parsed.valid()) {
      accepted.inc();
      out.collect(parsed.request());
      return;
    }
    invalid.inc();
    ctx.output(
        DecodeAndFilter.DEAD_LETTERS,
        DeadLetter.of(
            record,
            "invalid",
            String.join("; ", parsed.errors()),
            ctx.timerService().currentProcessingTime()));
  }
}
