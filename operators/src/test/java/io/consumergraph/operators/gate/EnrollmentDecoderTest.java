package io.consumergraph.operators.gate;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.SourceRecord;
import io.consumergraph.operators.decode.DecodeResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EnrollmentDecoderTest {

  private final EnrollmentDecoder decoder = new EnrollmentDecoder();

  @Test
  void anEnrollmentEnrollsUnlessItSaysFalse() {
    assertThat(decode("{\"user_id\": \"u-1\"}"))
        .isEqualTo(DecodeResult.accepted(GateInput.enrollment("u-1", true)));
    assertThat(decode("{\"user_id\": \"u-1\", \"enrolled\": false}"))
        .isEqualTo(DecodeResult.accepted(GateInput.enrollment("u-1", false)));
  }

  @Test
  void anythingElseIsInvalidWithWhatIsWrong() {
    assertThat(decode("not json")).isInstanceOf(DecodeResult.Rejected.class);
    assertThat(decode("[1]")).isEqualTo(DecodeResult.invalid("not a JSON object"));
    assertThat(decode("{\"user_id\": \" \"}"))
        .isEqualTo(DecodeResult.invalid("user_id: missing or not a non-empty string"));
    assertThat(decode("{\"user_id\": \"u\", \"enrolled\": \"yes\"}"))
        .isEqualTo(DecodeResult.invalid("enrolled: expected true or false, got \"yes\""));
  }

  private DecodeResult<GateInput> decode(String json) {
    return decoder.decode(
        new SourceRecord("enrollments", 0, 0, 0, null, json.getBytes(StandardCharsets.UTF_8)), 0);
  }
}
