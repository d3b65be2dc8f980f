package io.consumergraph.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.proto.Factoid;
import io.consumergraph.model.proto.FactoidEventType;
import io.consumergraph.model.proto.FactoidSource;
import org.junit.jupiter.api.Test;

class FactoidDecoderTest {

  private static final long NOW = 1_800_000_000_000L;
  private final FactoidDecoder decoder = new FactoidDecoder();

  private static Factoid.Builder shopOrder() {
    return Factoid.newBuilder()
        .setSummaryId("order-1")
        .setUserId("user-1")
        .setSource(FactoidSource.SHOP)
        .setEventType(FactoidEventType.ORDER_FINALIZED)
        .addFidos("f1")
        .addFidos("f2")
        .setFidoCount(2)
        .setEventTimeMs(1_700_000_000_000L)
        .setRetailerId("ret-9")
        .setRetailerName("Online Shop");
  }

  private static byte[] framed(Factoid factoid) {
    return SchemaRegistryFraming.frame(17, new int[] {0}, factoid.toByteArray());
  }

  @Test
  void framedShopOrderBecomesAPurchaseKeyedBySummaryId() {
    DecodeResult<PurchaseEvent> result = decoder.decode(framed(shopOrder().build()), NOW);

    PurchaseEvent event = ((DecodeResult.Accepted<PurchaseEvent>) result).value();
    assertThat(event.purchaseId()).isEqualTo("order-1");
    assertThat(event.userId()).isEqualTo("user-1");
    assertThat(event.channel()).isEqualTo(Channel.SHOP_ORDER);
    assertThat(event.origin()).isEqualTo(Origin.FACTOID_STREAM);
    assertThat(event.retailerId()).isEqualTo("ret-9");
    assertThat(event.items()).extracting(i -> i.fido()).containsExactly("f1", "f2");
  }

  @Test
  void rawUnframedShopOrderIsAcceptedToo() {
    DecodeResult<PurchaseEvent> result = decoder.decode(shopOrder().build().toByteArray(), NOW);

    assertThat(((DecodeResult.Accepted<PurchaseEvent>) result).value().purchaseId())
        .isEqualTo("order-1");
  }

  @Test
  void framingWithANestedMessageIndexPathIsUnderstood() {
    byte[] payload =
        SchemaRegistryFraming.frame(5, new int[] {1, 0, 3}, shopOrder().build().toByteArray());

    SchemaRegistryFraming.Unframed unframed = SchemaRegistryFraming.unframe(payload);

    assertThat(unframed.schemaId()).isEqualTo(5);
    assertThat(unframed.messageIndexes()).containsExactly(1, 0, 3);
    assertThat(decoder.decode(payload, NOW)).isInstanceOf(DecodeResult.Accepted.class);
  }

  @Test
  void wrongMagicByteIsUndecodableWithAPreciseReason() {
    byte[] payload = framed(shopOrder().build());
    payload[0] = 1;

    DecodeResult<PurchaseEvent> result = decoder.decode(payload, NOW);

    assertThat(result).isInstanceOf(DecodeResult.Rejected.class);
    assertThat(((DecodeResult.Rejected) result).detail()).contains("first byte 0x01");
  }

  @Test
  void truncatedMessageIndexVarintIsUndecodable() {
    byte[] payload = {0, 0, 0, 0, 17, (byte) 0x84};

    DecodeResult<PurchaseEvent> result = decoder.decode(payload, NOW);

    assertThat(result)
        .isEqualTo(
            DecodeResult.undecodable(
                "bad schema-registry framing: truncated varint in message-index count"));
  }

  @Test
  void headerShorterThanFiveBytesIsUndecodable() {
    DecodeResult<PurchaseEvent> result = decoder.decode(new byte[] {0, 0, 1}, NOW);

    assertThat(((DecodeResult.Rejected) result).detail())
        .contains("shorter than its 5-byte header");
  }

  @Test
  void nonShopNonFinalizedAndFidolessFactoidsAreFilteredEachWithItsReason() {
    assertThat(decoder.decode(framed(shopOrder().setSource(FactoidSource.PLAY).build()), NOW))
        .isEqualTo(new DecodeResult.Filtered<>(FilterReason.NOT_SHOP));
    assertThat(
            decoder.decode(
                framed(shopOrder().setEventType(FactoidEventType.ORDER_PENDING).build()), NOW))
        .isEqualTo(new DecodeResult.Filtered<>(FilterReason.NOT_ORDER_FINALIZED));
    assertThat(decoder.decode(framed(shopOrder().clearFidos().setFidoCount(0).build()), NOW))
        .isEqualTo(new DecodeResult.Filtered<>(FilterReason.NO_FIDOS));
  }

  @Test
  void shopOrderWithoutUserIsInvalid() {
    assertThat(decoder.decode(framed(shopOrder().setUserId("").build()), NOW))
        .isEqualTo(DecodeResult.invalid("user_id is empty (order order-1)"));
  }
}
