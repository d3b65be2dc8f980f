package io.consumergraph.operators.decode;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import org.junit.jupiter.api.Test;

class PurchaseChecksTest {

  private static final long NOW = 1_800_000_000_000L;
  private static final String LONG = "x".repeat(PurchaseChecks.MAX_ID_BYTES + 1);

  private static PurchaseEvent purchase(
      String user, String id, String retailer, String fido, long t) {
    return new PurchaseEvent(
        user,
        id,
        Channel.RECEIPT,
        Origin.RECEIPT_STREAM,
        t,
        retailer,
        "Shop",
        new PurchasedItem[] {new PurchasedItem(fido, "Milk", "Brand", 1, 1)});
  }

  @Test
  void anOrdinaryPurchaseWithHostileButShortStringsPasses() {
    String hostile = "O'Brien \"}) DETACH DELETE n // ünïcødé ✓";
    assertThat(PurchaseChecks.problem(purchase(hostile, hostile, hostile, hostile, NOW), NOW))
        .isNull();
    assertThat(PurchaseChecks.problem(purchase("u", "r", "", "f", NOW), NOW))
        .as("a purchase without retailer")
        .isNull();
  }

  @Test
  void idsLongerThanNeo4jCanIndexAreRejectedWithTheFieldAndTheirSize() {
    assertThat(PurchaseChecks.problem(purchase(LONG, "r1", "ret", "f", NOW), NOW))
        .isEqualTo("user id is 1025 bytes long, more than 1024 (purchase r1)");
    assertThat(PurchaseChecks.problem(purchase("u", "r1", LONG, "f", NOW), NOW))
        .startsWith("retailer id is 1025 bytes");
    assertThat(PurchaseChecks.problem(purchase("u", "r1", "ret", LONG, NOW), NOW))
        .startsWith("FIDO is 1025 bytes");
    assertThat(PurchaseChecks.problem(purchase("u", LONG, "ret", "f", NOW), NOW))
        .isEqualTo("purchase id is 1025 bytes long, more than 1024");
  }

  @Test
  void multiByteCharactersCountInBytes() {
    String twoBytesEach = "é".repeat(PurchaseChecks.MAX_ID_BYTES / 2 + 1);
    assertThat(PurchaseChecks.problem(purchase(twoBytesEach, "r1", "", "f", NOW), NOW))
        .startsWith("user id is 1026 bytes");
  }

  @Test
  void aMissingOrFuturePurchaseTimeIsRejected() {
    assertThat(PurchaseChecks.problem(purchase("u", "r1", "", "f", 0), NOW))
        .isEqualTo("no purchase time (purchase r1)");
    assertThat(
            PurchaseChecks.problem(
                purchase("u", "r1", "", "f", NOW + PurchaseChecks.MAX_FUTURE_SKEW_MS + 1), NOW))
        .contains("is in the future");
    assertThat(
            PurchaseChecks.problem(
                purchase("u", "r1", "", "f", NOW + PurchaseChecks.MAX_FUTURE_SKEW_MS), NOW))
        .isNull();
  }

  @Test
  void emptyRequiredIdsAreRejected() {
    assertThat(PurchaseChecks.problem(purchase("", "r1", "", "f", NOW), NOW))
        .isEqualTo("user id is empty (purchase r1)");
    assertThat(PurchaseChecks.problem(purchase("u", "r1", "", "", NOW), NOW))
        .isEqualTo("FIDO is empty (purchase r1)");
  }
}
