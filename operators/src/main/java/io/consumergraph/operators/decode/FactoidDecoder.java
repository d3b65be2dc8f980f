package io.consumergraph.operators.decode;

import com.google.protobuf.InvalidProtocolBufferException;
import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.model.proto.Factoid;
import io.consumergraph.model.proto.FactoidEventType;
import io.consumergraph.model.proto.FactoidSource;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Decodes a {@code Factoid}, schema-registry framed or raw, and keeps only finalized shop orders
 * with FIDOs. A shop order's summary id is its purchase id, the same value as BTS's buttonOrderId,
 * so a later backfill of the order de-duplicates against it.
 */
public final class FactoidDecoder implements PurchaseDecoder {

  private static final long serialVersionUID = 1L;

  @Override
  public Set<FilterReason> filterReasons() {
    return Set.of(FilterReason.NOT_SHOP, FilterReason.NOT_ORDER_FINALIZED, FilterReason.NO_FIDOS);
  }

  @Override
  public DecodeResult<PurchaseEvent> decode(byte[] payload, long nowMs) {
    if (payload == null || payload.length == 0) {
      return DecodeResult.undecodable("empty payload");
    }
    byte[] message = payload;
    if (SchemaRegistryFraming.isFramed(payload)) {
      try {
        message = SchemaRegistryFraming.unframe(payload).message();
      } catch (IllegalArgumentException e) {
        return DecodeResult.undecodable("bad schema-registry framing: " + e.getMessage());
      }
    }
    Factoid factoid;
    try {
      factoid = Factoid.parseFrom(message);
    } catch (InvalidProtocolBufferException e) {
      return DecodeResult.undecodable(
          String.format(
              "neither a framed (magic byte 0x00) nor a raw Factoid (first byte 0x%02x): %s",
              payload[0], e.getMessage()));
    }
    if (factoid.getSource() != FactoidSource.SHOP) {
      return new DecodeResult.Filtered<>(FilterReason.NOT_SHOP);
    }
    if (factoid.getEventType() != FactoidEventType.ORDER_FINALIZED) {
      return new DecodeResult.Filtered<>(FilterReason.NOT_ORDER_FINALIZED);
    }
    Set<String> fidos = new LinkedHashSet<>();
    for (String fido : factoid.getFidosList()) {
      if (!fido.isEmpty()) {
        fidos.add(fido);
      }
    }
    if (factoid.getFidoCount() == 0 || fidos.isEmpty()) {
      return new DecodeResult.Filtered<>(FilterReason.NO_FIDOS);
    }
    if (factoid.getSummaryId().isEmpty()) {
      return DecodeResult.invalid("summary_id is empty");
    }
    if (factoid.getUserId().isEmpty()) {
      return DecodeResult.invalid("user_id is empty (order " + factoid.getSummaryId() + ")");
    }
    if (factoid.getEventTimeMs() <= 0) {
      return DecodeResult.invalid("no event time (order " + factoid.getSummaryId() + ")");
    }
    if (factoid.getEventTimeMs() > nowMs + ReceiptDecoder.MAX_FUTURE_SKEW_MS) {
      return DecodeResult.invalid(
          "event time "
              + factoid.getEventTimeMs()
              + " is in the future (order "
              + factoid.getSummaryId()
              + ")");
    }
    PurchasedItem[] items =
        fidos.stream().map(f -> new PurchasedItem(f, "", "", 1, 0)).toArray(PurchasedItem[]::new);
    PurchaseEvent event =
        new PurchaseEvent(
            factoid.getUserId(),
            factoid.getSummaryId(),
            Channel.SHOP_ORDER,
            Origin.FACTOID_STREAM,
            factoid.getEventTimeMs(),
            factoid.getRetailerId(),
            factoid.getRetailerName(),
            items);
    String problem = PurchaseChecks.problem(event, nowMs);
    if (problem != null) {
      return DecodeResult.invalid(problem);
    }
    return new DecodeResult.Accepted<>(event, factoid.getFidosCount() - fidos.size());
  }
}
