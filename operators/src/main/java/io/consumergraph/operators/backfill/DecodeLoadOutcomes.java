package io.consumergraph.operators.backfill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.operators.decode.DecodeAndFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads load outcomes back from the internal feedback topic, JSON {@code {"user_id", "request_id",
 * "succeeded", "at_ms"}}; see {@link #encode}.
 */
public final class DecodeLoadOutcomes extends ProcessFunction<SourceRecord, LoadOutcome> {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  public static byte[] encode(LoadOutcome outcome) {
    ObjectNode node = JSON.createObjectNode();
    node.put("user_id", outcome.userId());
    node.put("request_id", outcome.requestId());
    node.put("succeeded", outcome.succeeded());
    node.put("at_ms", outcome.atMs());
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void processElement(SourceRecord record, Context ctx, Collector<LoadOutcome> out) {
    try {
      JsonNode node = JSON.readTree(record.value());
      if (node != null
          && node.path("user_id").isTextual()
          && node.path("request_id").isTextual()
          && node.path("succeeded").isBoolean()
          && node.path("at_ms").canConvertToLong()) {
        out.collect(
            new LoadOutcome(
                node.get("user_id").asText(),
                node.get("request_id").asText(),
                node.get("succeeded").asBoolean(),
                node.get("at_ms").asLong()));
        return;
      }
    } catch (IOException e) {
      // falls through to the dead letter
    }
    ctx.output(
        DecodeAndFilter.DEAD_LETTERS,
        DeadLetter.of(
            record, "invalid", "not a load outcome", ctx.timerService().currentProcessingTime()));
  }
}
