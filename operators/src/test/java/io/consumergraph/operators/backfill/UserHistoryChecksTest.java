package io.consumergraph.operators.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A backfill's history meets the limits the live path puts on receipts. */
class UserHistoryChecksTest {

  private static final long NOW = 1_800_000_000_000L;

  private static PurchaseEvent purchase(String user, String id, long t) {
    return new PurchaseEvent(
        user,
        id,
        Channel.RECEIPT,
        Origin.BACKFILL,
        t,
        "ret",
        "Shop",
        new PurchasedItem[] {new PurchasedItem("f", "Milk", "Brand", 1, 1)});
  }

  @Test
  void recordsWithoutPurchaseTimeOrOfAnotherUserAreLeftOutWithTheirReasons() {
    List<String> problems = new ArrayList<>();
    List<PurchaseEvent> kept =
        UserHistoryLoader.acceptable(
            "u1",
            List.of(
                purchase("u1", "good", NOW - 1000),
                purchase("u1", "no-time", 0),
                purchase("u2", "someone-else", NOW - 1000),
                purchase("u1", "from-the-future", NOW + 5 * 86_400_000L)),
            NOW,
            problems);

    assertThat(kept).extracting(PurchaseEvent::purchaseId).containsExactly("good");
    assertThat(problems)
        .containsExactly(
            "no purchase time (purchase no-time)",
            "belongs to another user (purchase someone-else)",
            "purchase time "
                + (NOW + 5 * 86_400_000L)
                + " is in the future (purchase from-the-future)");
  }
}
