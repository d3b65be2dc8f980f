package io.consumergraph.operators.gate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.operators.decode.DecodeResult;
import io.consumergraph.operators.decode.RecordDecoder;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Decodes experiment enrollments, JSON {@code {"user_id": "...", "enrolled": true}} ({@code
 * enrolled} defaults to true; false withdraws the user). Anything else is invalid.
 */
public final class EnrollmentDecoder implements RecordDecoder<GateInput> {

  private static final long serialVersionUID = 1L;
  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public TypeInformation<GateInput> producedType() {
    return TypeInformation.of(GateInput.class);
  }

  @Override
  public DecodeResult<GateInput> decode(SourceRecord record, long nowMs) {
    JsonNode node;
    try {
      node = JSON.readTree(record.value());
    } catch (IOException e) {
      return DecodeResult.invalid("not JSON: " + e.getMessage());
    }
    JsonNode user = node == null ? null : node.get("user_id");
    JsonNode enrolled = node == null ? null : node.get("enrolled");
    if (node == null || !node.isObject()) {
      return DecodeResult.invalid("not a JSON object");
    }
    if (user == null || !user.isTextual() || user.asText().isBlank()) {
      return DecodeResult.invalid("user_id: missing or not a non-empty string");
    }
    if (enrolled != null && !enrolled.isBoolean()) {
      return DecodeResult.invalid("enrolled: expected true or false, got " + enrolled);
    }
    return DecodeResult.accepted(
        GateInput.enrollment(user.asText(), enrolled == null || enrolled.asBoolean()));
  }
}
