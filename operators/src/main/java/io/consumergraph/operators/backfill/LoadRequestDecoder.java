package io.consumergraph.operators.backfill;

import io.consumergraph.model.SourceRecord;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.decode.DecodeResult;
import io.consumergraph.operators.decode.RecordDecoder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Decodes a {@code user_load_request} SQS message ({@link UserLoadRequestParser}); the record's
 * topic is the queue it came from. An invalid request carries every problem in its detail.
 */
public final class LoadRequestDecoder implements RecordDecoder<UserLoadRequest> {

  private static final long serialVersionUID = 1L;

  @Override
  public TypeInformation<UserLoadRequest> producedType() {
    return TypeInformation.of(UserLoadRequest.class);
  }

  @Override
  public DecodeResult<UserLoadRequest> decode(SourceRecord record, long nowMs) {
    String body = record.value() == null ? "" : new String(record.value(), StandardCharsets.UTF_8);
    UserLoadRequestParser.Parsed parsed = UserLoadRequestParser.parse(body, record.topic());
    return parsed.valid()
        ? DecodeResult.accepted(parsed.request())
        : DecodeResult.invalid(String.join("; ", parsed.errors()));
  }
}
