package io.consumergraph.operators.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.operators.decode.DecodeResult;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoadOutcomeDecoderTest {

  private final LoadOutcomeDecoder decoder = new LoadOutcomeDecoder();

  @Test
  void anEncodedOutcomeDecodesToItself() {
    LoadOutcome outcome = new LoadOutcome("u-1", "req-1", true, 1_700_000_000_123L);
    assertThat(decode(LoadOutcomeDecoder.encode(outcome)))
        .isEqualTo(DecodeResult.accepted(outcome));
  }

  @Test
  void aRecordThatIsNotAnOutcomeIsInvalid() {
    assertThat(decode("{\"user_id\": \"u-1\"}".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(DecodeResult.invalid("not a load outcome"));
    assertThat(decode(new byte[] {(byte) 0xff}))
        .isEqualTo(DecodeResult.invalid("not a load outcome"));
  }

  private DecodeResult<LoadOutcome> decode(byte[] value) {
    return decoder.decode(new SourceRecord("load-outcomes", 0, 0, 0, null, value), 0);
  }
}
