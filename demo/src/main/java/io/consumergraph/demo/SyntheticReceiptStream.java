package io.consumergraph.demo;

import io.consumergraph.model.proto.DigitalReceiptData;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.model.proto.Store;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A realistic receipt stream for the demo, with the production mix of the receipt topic (seed 002):
 * ~23% digital, ~9% not FINISHED, ~19% without any FIDO item, plus re-sent receipts and a few
 * undecodable records. Deterministic for a given seed.
 */
public final class SyntheticReceiptStream {

  /** What a generated record is, so the demo can report what it sent. */
  public enum Kind {
    VALID,
    DUPLICATE,
    DIGITAL,
    NOT_FINISHED,
    NO_FIDO,
    GARBAGE
  }

  /** One record to produce: key = user id, value = the protobuf bytes (or garbage). */
  public record Generated(Kind kind, byte[] key, byte[] value) {}

  private static final double DIGITAL = 0.23;
  private static final double NOT_FINISHED = 0.09;
  private static final double NO_FIDO = 0.19;
  private static final double DUPLICATE = 0.05;
  private static final double GARBAGE = 0.005;

  private final SplittableRandom random;
  private final int users;
  private final CatalogSample catalog;
  private final long nowMs;
  private final List<byte[]> recent = new ArrayList<>();
  private long sequence;

  public SyntheticReceiptStream(long seed, int users, CatalogSample catalog, long nowMs) {
    this.random = new SplittableRandom(seed);
    this.users = users;
    this.catalog = catalog;
    this.nowMs = nowMs;
  }

  public Generated next() {
    double roll = random.nextDouble();
    if (roll < GARBAGE) {
      byte[] junk = ("not-a-receipt-" + sequence++).getBytes(StandardCharsets.UTF_8);
      junk[0] = (byte) 0xff; // an invalid protobuf tag
      return new Generated(Kind.GARBAGE, null, junk);
    }
    if (roll < GARBAGE + DUPLICATE && !recent.isEmpty()) {
      byte[] again = recent.get(random.nextInt(recent.size()));
      return new Generated(Kind.DUPLICATE, null, again);
    }
    String userId = "user-" + random.nextInt(users);
    ProcessedReceiptEvent.Builder receipt =
        ProcessedReceiptEvent.newBuilder()
            .setReceiptId("rcpt-" + Long.toHexString(random.nextLong()) + "-" + sequence++)
            .setUserId(userId)
            .setStatus(ReceiptStatus.FINISHED)
            .setStore(store())
            .setPurchaseTimeMs(nowMs - random.nextLong(30L * 86_400_000L))
            .setProcessedAtMs(nowMs);
    Kind kind = Kind.VALID;
    double shape = random.nextDouble();
    if (shape < DIGITAL) {
      kind = Kind.DIGITAL;
      receipt.setDigitalReceiptData(DigitalReceiptData.newBuilder().setSource("email"));
    } else if (shape < DIGITAL + NOT_FINISHED) {
      kind = Kind.NOT_FINISHED;
      receipt.setStatus(random.nextBoolean() ? ReceiptStatus.REJECTED : ReceiptStatus.PENDING);
    } else if (shape < DIGITAL + NOT_FINISHED + NO_FIDO) {
      kind = Kind.NO_FIDO;
    }
    int items = 1 + random.nextInt(6);
    for (int i = 0; i < items; i++) {
      boolean matched = kind != Kind.NO_FIDO && random.nextDouble() > 0.1;
      ReceiptItem.Builder item =
          ReceiptItem.newBuilder()
              .setDescription("item " + i)
              .setQuantity(1 + random.nextInt(3))
              .setPrice(0.5 + random.nextInt(2000) / 100.0);
      if (matched) {
        item.setFido(catalog.fido().apply(popularProduct()));
      }
      receipt.addItems(item);
    }
    if (kind == Kind.VALID
        && receipt.getItemsList().stream().allMatch(i -> i.getFido().isEmpty())) {
      receipt.getItemsBuilder(0).setFido(catalog.fido().apply(popularProduct()));
    }
    byte[] bytes = receipt.build().toByteArray();
    if (kind == Kind.VALID) {
      remember(bytes);
    }
    return new Generated(kind, userId.getBytes(StandardCharsets.UTF_8), bytes);
  }

  private Store.Builder store() {
    String id = catalog.retailerId().apply(random.nextInt(catalog.retailers()));
    return Store.newBuilder().setRetailerId(id).setStoreName("Store " + id);
  }

  /** Skewed towards a head of popular products, as real baskets are. */
  private int popularProduct() {
    double u = random.nextDouble();
    return (int) Math.min(catalog.products() - 1, Math.floor(catalog.products() * u * u * u));
  }

  private void remember(byte[] bytes) {
    if (recent.size() < 1000) {
      recent.add(bytes);
    } else {
      recent.set(random.nextInt(recent.size()), bytes);
    }
  }
}
