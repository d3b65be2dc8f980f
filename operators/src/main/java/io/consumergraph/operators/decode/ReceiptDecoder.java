package io.consumergraph.operators.decode;

import com.google.protobuf.InvalidProtocolBufferException;
import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decodes a raw-protobuf {@code ProcessedReceiptEvent} (no registry framing) and applies the
 * receipt filters: only FINISHED, physical receipts with at least one FIDO item are taken.
 */
public final class ReceiptDecoder implements PurchaseDecoder {

  private static final long serialVersionUID = 1L;

  /** Receipt clocks drift; beyond this a purchase time is a data error, not drift. */
  static final long MAX_FUTURE_SKEW_MS = Duration.ofDays(1).toMillis();

  @Override
  public Set<FilterReason> filterReasons() {
    return Set.of(FilterReason.NOT_FINISHED, FilterReason.DIGITAL, FilterReason.NO_FIDO_ITEMS);
  }

  @Override
  public DecodeResult<PurchaseEvent> decode(byte[] payload, long nowMs) {
    if (payload == null || payload.length == 0) {
      return DecodeResult.undecodable("empty payload");
    }
    ProcessedReceiptEvent receipt;
    try {
      receipt = ProcessedReceiptEvent.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      return DecodeResult.undecodable("not a ProcessedReceiptEvent: " + e.getMessage());
    }
    if (receipt.getReceiptId().isEmpty()) {
      return DecodeResult.invalid("receipt_id is empty");
    }
    if (receipt.getUserId().isEmpty()) {
      return DecodeResult.invalid("user_id is empty (receipt " + receipt.getReceiptId() + ")");
    }
    if (receipt.getStatus() != ReceiptStatus.FINISHED) {
      return new DecodeResult.Filtered<>(FilterReason.NOT_FINISHED);
    }
    if (receipt.hasDigitalReceiptData()) {
      return new DecodeResult.Filtered<>(FilterReason.DIGITAL);
    }
    long purchaseTimeMs =
        receipt.getPurchaseTimeMs() > 0 ? receipt.getPurchaseTimeMs() : receipt.getProcessedAtMs();
    if (purchaseTimeMs <= 0) {
      return DecodeResult.invalid("no purchase time (receipt " + receipt.getReceiptId() + ")");
    }
    if (purchaseTimeMs > nowMs + MAX_FUTURE_SKEW_MS) {
      return DecodeResult.invalid(
          "purchase time "
              + purchaseTimeMs
              + " is in the future (receipt "
              + receipt.getReceiptId()
              + ")");
    }
    List<PurchasedItem> items = new ArrayList<>(receipt.getItemsCount());
    for (ReceiptItem item : receipt.getItemsList()) {
      if (!item.getFido().isEmpty()) {
        items.add(
            new PurchasedItem(
                item.getFido(),
                item.getDescription(),
                item.getBrand(),
                item.getQuantity(),
                item.getPrice()));
      }
    }
    if (items.isEmpty()) {
      return new DecodeResult.Filtered<>(FilterReason.NO_FIDO_ITEMS);
    }
    PurchaseEvent event =
        new PurchaseEvent(
            receipt.getUserId(),
            receipt.getReceiptId(),
            Channel.RECEIPT,
            Origin.RECEIPT_STREAM,
            purchaseTimeMs,
            receipt.getStore().getRetailerId(),
            receipt.getStore().getStoreName(),
            items.toArray(PurchasedItem[]::new));
    String problem = PurchaseChecks.problem(event, nowMs);
    if (problem != null) {
      return DecodeResult.invalid(problem);
    }
    return new DecodeResult.Accepted<>(event, receipt.getItemsCount() - items.size());
  }
}
