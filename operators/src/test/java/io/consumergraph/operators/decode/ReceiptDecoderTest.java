package io.consumergraph.operators.decode;

import static io.consumergraph.operators.testing.Receipts.finished;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.operators.testing.Receipts;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReceiptDecoderTest {

  private static final long NOW = 1_800_000_000_000L;
  private final ReceiptDecoder decoder = new ReceiptDecoder();

  @Test
  void finishedPhysicalReceiptBecomesAPurchaseWithItsFidoItems() {
    byte[] bytes = finished("rcpt-1", "user-1", "fido-a", "fido-b").build().toByteArray();

    DecodeResult<PurchaseEvent> result = decoder.decode(bytes, NOW);

    assertThat(result).isInstanceOf(DecodeResult.Accepted.class);
    PurchaseEvent event = ((DecodeResult.Accepted<PurchaseEvent>) result).value();
    assertThat(event.userId()).isEqualTo("user-1");
    assertThat(event.purchaseId()).isEqualTo("rcpt-1");
    assertThat(event.channel()).isEqualTo(Channel.RECEIPT);
    assertThat(event.origin()).isEqualTo(Origin.RECEIPT_STREAM);
    assertThat(event.retailerId()).isEqualTo("r-1");
    assertThat(event.purchaseTimeMs()).isEqualTo(1_700_000_000_000L);
    assertThat(event.items()).extracting(i -> i.fido()).containsExactly("fido-a", "fido-b");
  }

  @Test
  void itemsWithoutFidoAreDroppedAndCounted() {
    byte[] bytes =
        finished("rcpt-1", "user-1", "fido-a")
            .addItems(ReceiptItem.newBuilder().setDescription("unmatched"))
            .build()
            .toByteArray();

    DecodeResult.Accepted<PurchaseEvent> result =
        (DecodeResult.Accepted<PurchaseEvent>) decoder.decode(bytes, NOW);

    assertThat(result.value().items()).hasSize(1);
    assertThat(result.droppedItems()).isEqualTo(1);
  }

  @Test
  void receiptWithNoFidoItemIsFiltered() {
    byte[] bytes =
        finished("rcpt-1", "user-1")
            .addItems(ReceiptItem.newBuilder().setDescription("unmatched"))
            .build()
            .toByteArray();

    assertThat(decoder.decode(bytes, NOW))
        .isEqualTo(new DecodeResult.Filtered<>(FilterReason.NO_FIDO_ITEMS));
  }

  @Test
  void nonFinishedReceiptIsFiltered() {
    for (ReceiptStatus status :
        new ReceiptStatus[] {
          ReceiptStatus.PENDING, ReceiptStatus.REJECTED, ReceiptStatus.FLAGGED
        }) {
      byte[] bytes = finished("r", "u", "f").setStatus(status).build().toByteArray();
      assertThat(decoder.decode(bytes, NOW))
          .isEqualTo(new DecodeResult.Filtered<>(FilterReason.NOT_FINISHED));
    }
  }

  @Test
  void digitalReceiptIsFiltered() {
    byte[] bytes =
        finished("r", "u", "f").setDigitalReceiptData(Receipts.digital()).build().toByteArray();

    assertThat(decoder.decode(bytes, NOW))
        .isEqualTo(new DecodeResult.Filtered<>(FilterReason.DIGITAL));
  }

  @Test
  void garbageBytesAreRejectedAsUndecodable() {
    byte[] garbage = "definitely not protobuf \u0000\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    DecodeResult<PurchaseEvent> result = decoder.decode(garbage, NOW);

    assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
    assertThat(((DecodeResult.Rejected) result).reason()).isEqualTo("undecodable");
  }

  @Test
  void truncatedMessageIsRejectedAsUndecodable() {
    byte[] bytes = finished("rcpt-1", "user-1", "fido-a").build().toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 3);

    DecodeResult<PurchaseEvent> result = decoder.decode(truncated, NOW);

    assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
    assertThat(((DecodeResult.Rejected) result).reason()).isEqualTo("undecodable");
  }

  @Test
  void emptyPayloadIsRejected() {
    assertThat(decoder.decode(new byte[0], NOW)).isInstanceOf(DecodeResult.Rejected.class);
    assertThat(decoder.decode((byte[]) null, NOW)).isInstanceOf(DecodeResult.Rejected.class);
  }

  @Test
  void missingIdsAreInvalid() {
    DecodeResult<PurchaseEvent> noUser =
        decoder.decode(finished("r", "", "f").build().toByteArray(), NOW);
    DecodeResult<PurchaseEvent> noReceipt =
        decoder.decode(finished("", "u", "f").build().toByteArray(), NOW);

    assertThat(noUser).isEqualTo(DecodeResult.invalid("user_id is empty (receipt r)"));
    assertThat(noReceipt).isEqualTo(DecodeResult.invalid("receipt_id is empty"));
  }

  @Test
  void anIdLongerThanNeo4jCanIndexIsInvalidWithItsReason() {
    String longUser = "u".repeat(PurchaseChecks.MAX_ID_BYTES + 1);
    DecodeResult<PurchaseEvent> result =
        decoder.decode(finished("r", longUser, "f").build().toByteArray(), NOW);

    assertThat(result)
        .isEqualTo(DecodeResult.invalid("user id is 1025 bytes long, more than 1024 (purchase r)"));
  }

  @Test
  void purchaseTimeFallsBackToProcessingTimeAndRejectsTheFuture() {
    byte[] noPurchaseTime = finished("r", "u", "f").setPurchaseTimeMs(0).build().toByteArray();
    byte[] future =
        finished("r", "u", "f").setPurchaseTimeMs(NOW + 2 * 86_400_000L).build().toByteArray();

    assertThat(
            ((DecodeResult.Accepted<PurchaseEvent>) decoder.decode(noPurchaseTime, NOW))
                .value()
                .purchaseTimeMs())
        .isEqualTo(1_700_000_100_000L);
    assertThat(decoder.decode(future, NOW)).isInstanceOf(DecodeResult.Rejected.class);
  }
}
