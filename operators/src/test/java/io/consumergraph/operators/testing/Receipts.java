package io.consumergraph.operators.testing;

import io.consumergraph.model.proto.DigitalReceiptData;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.model.proto.Store;

/** Builds receipt events for tests. */
public final class Receipts {

  private Receipts() {}

  public static ProcessedReceiptEvent.Builder finished(
      String receiptId, String userId, String... fidos) {
    ProcessedReceiptEvent.Builder b =
        ProcessedReceiptEvent.newBuilder()
            .setReceiptId(receiptId)
            .setUserId(userId)
            .setStatus(ReceiptStatus.FINISHED)
            .setStore(Store.newBuilder().setRetailerId("r-1").setStoreName("Corner Grocery"))
            .setPurchaseTimeMs(1_700_000_000_000L)
            .setProcessedAtMs(1_700_000_100_000L);
    for (String fido : fidos) {
      b.addItems(
          ReceiptItem.newBuilder()
              .setFido(fido)
              .setDescription("item " + fido)
              .setBrand("brand")
              .setQuantity(1)
              .setPrice(2.5));
    }
    return b;
  }

  public static DigitalReceiptData digital() {
    return DigitalReceiptData.newBuilder().setSource("email").build();
  }
}
