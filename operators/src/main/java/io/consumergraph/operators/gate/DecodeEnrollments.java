package io.consumergraph.operators.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.operators.decode.DecodeAndFilter;
import java.io.IOException;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes experiment enrollments, JSON {@code {"user_id": "...", "enrolled": true}} ({@code
 * enrolled} defaults to true; false withdraws the user). Anything else is dead-lettered.
 */
public final class DecodeEnrollments extends ProcessFunction<SourceRecord, GateInput> {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private transient Counter accepted;
  private transient Counter deadLettered;

  @Override
  public void open(OpenContext openContext) {
    accepted = getRuntimeContext().getMetricGroup().counter("accepted");
    deadLettered = getRuntimeContext().getMetricGroup().counter("deadLettered");
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<GateInput> out) {
    String error;
    try {
      JsonNode node = JSON.readTree(record.value());
      JsonNode user = node == null ? null : node.get("user_id");
      JsonNode enrolled = node == null ? null : node.get("enrolled");
      if (node == null || !node.isObject()) {
        error = "not a JSON object";
      } else if (user == null || !user.isTextual() || user.asText().isBlank()) {
        error = "user_id: missing or not a non-empty string";
      } else if (enrolled != null && !enrolled.isBoolean()) {
        error = "enrolled: expected true or false, got " + enrolled;
      } else {
        accepted.inc();
        out.collect(GateInput.enrollment(user.asText(), enrolled == null || enrolled.asBoolean()));
        return;
      }
    } catch (IOException e) {
      error = "not JSON: " + e.getMessage();
    }
    deadLettered.inc();
    ctx.output(
        DecodeAndFilter.DEAD_LETTERS,
        DeadLetter.of(record, "invalid", error, ctx.timerService().currentProcessingTime()));
  }
}
