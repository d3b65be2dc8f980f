package io.consumergraph.operators.gate;

import static io.consumergraph.operators.gate.Flags.purchase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class KillswitchHoldTest {

  private final PurchaseEvent receipt = purchase("u1", "r1", Origin.RECEIPT_STREAM);
  private final PurchaseEvent order = purchase("u1", "o1", Origin.FACTOID_STREAM);

  @Test
  void aKillswitchHoldsItsOwnStreamOnly() throws Exception {
    FlagSnapshot receiptsOff = Flags.everyone(true, false);

    assertThat(KillswitchHold.holds(receiptsOff, receipt)).isTrue();
    assertThat(KillswitchHold.holds(receiptsOff, order)).isFalse();
    assertThat(KillswitchHold.holds(Flags.everyone(false, true), order)).isTrue();
  }

  @Test
  void withoutADocumentNothingIsHeld() {
    assertThat(KillswitchHold.holds(FlagSnapshot.noDocumentYet(), receipt)).isFalse();
  }

  @Test
  void releaseHandsOverInOrderWhatIsNoLongerHeldAndKeepsTheRest() throws Exception {
    PurchaseEvent second = purchase("u1", "r2", Origin.RECEIPT_STREAM);
    List<PurchaseEvent> released = new ArrayList<>();

    List<PurchaseEvent> kept =
        KillswitchHold.release(
            Flags.everyone(false, true), List.of(receipt, order, second), released::add);

    assertThat(released).containsExactly(receipt, second);
    assertThat(kept).containsExactly(order);
  }

  @Test
  void backfilledPurchasesDoNotPassTheLiveGate() {
    assertThatThrownBy(() -> KillswitchHold.killswitchOf(Origin.BACKFILL))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
