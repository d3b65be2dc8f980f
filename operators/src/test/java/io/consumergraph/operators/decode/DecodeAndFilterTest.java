package io.consumergraph.operators.decode;

import static io.consumergraph.operators.testing.Receipts.finished;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.model.proto.ReceiptStatus;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;

class DecodeAndFilterTest {

  private static SourceRecord record(long offset, byte[] value) {
    return new SourceRecord("receipts", 3, offset, 0L, null, value);
  }

  @Test
  void acceptedPurchasesGoDownstreamAndUndecodableRecordsToTheDeadLetterOutput() throws Exception {
    byte[] garbage = "garbage".getBytes(StandardCharsets.UTF_8);
    try (OneInputStreamOperatorTestHarness<SourceRecord, PurchaseEvent> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(
            new DecodeAndFilter<>(new ReceiptDecoder()))) {
      harness.setProcessingTime(1_800_000_000_000L);
      harness.processElement(record(10, finished("r1", "u1", "f1").build().toByteArray()), 0);
      harness.processElement(record(11, garbage), 0);
      harness.processElement(
          record(
              12,
              finished("r2", "u1", "f1").setStatus(ReceiptStatus.PENDING).build().toByteArray()),
          0);

      assertThat(harness.extractOutputValues())
          .extracting(PurchaseEvent::purchaseId)
          .containsExactly("r1");
      ConcurrentLinkedQueue<StreamRecord<DeadLetter>> dead =
          harness.getSideOutput(DecodeAndFilter.DEAD_LETTERS);
      List<DeadLetter> letters =
          dead.stream().map(StreamRecord::getValue).collect(Collectors.toList());
      assertThat(letters).hasSize(1);
      DeadLetter letter = letters.get(0);
      assertThat(letter.reason()).isEqualTo("undecodable");
      assertThat(letter.source()).isEqualTo("receipts");
      assertThat(letter.partition()).isEqualTo(3);
      assertThat(letter.offset()).isEqualTo(11);
      assertThat(letter.payload()).isEqualTo(garbage);
    }
  }

  @Test
  void aDecoderThatThrowsDeadLettersTheRecordInsteadOfFailingTheJob() throws Exception {
    PurchaseDecoder broken =
        (payload, now) -> {
          throw new IllegalStateException("boom");
        };
    try (OneInputStreamOperatorTestHarness<SourceRecord, PurchaseEvent> harness =
        ProcessFunctionTestHarnesses.forProcessFunction(new DecodeAndFilter<>(broken))) {
      harness.processElement(record(1, new byte[] {1}), 0);

      assertThat(harness.extractOutputValues()).isEmpty();
      assertThat(harness.getSideOutput(DecodeAndFilter.DEAD_LETTERS))
          .extracting(r -> r.getValue().reason())
          .containsExactly("decoder-error");
    }
  }
}
