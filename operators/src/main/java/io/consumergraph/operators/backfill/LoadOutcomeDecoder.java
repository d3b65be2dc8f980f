package io.consumergraph.operators.backfill;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.operators.decode.DecodeResult;
import io.consumergraph.operators.decode.RecordDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Reads load outcomes back from the internal feedback topic, JSON {@code {"user_id", "request_id",
 * "succeeded", "at_ms"}}; {@link #encode} writes them.
 */
public final class LoadOutcomeDecoder implements RecordDecoder<LoadOutcome> {

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
  public TypeInformation<LoadOutcome> producedType() {
    return TypeInformation.of(LoadOutcome.class);
  }

  @Override
  public DecodeResult<LoadOutcome> decode(SourceRecord record, long nowMs) {
    try {
      JsonNode node = JSON.readTree(record.value());
      if (node != null
          && node.path("user_id").isTextual()
          && node.path("request_id").isTextual()
          && node.path("succeeded").isBoolean()
          && node.path("at_ms").canConvertToLong()) {
        return DecodeResult.accepted(
            new LoadOutcome(
                node.get("user_id").asText(),
                node.get("request_id").asText(),
                node.get("succeeded").asBoolean(),
                node.get("at_ms").asLong()));
      }
    } catch (IOException e) {
      // falls through to the dead letter
    }
    return DecodeResult.invalid("not a load outcome");
  }
}
