package io.consumergraph.operators.gate;

import io.consumergraph.flags.FlagNames;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A stream's killswitch holds the purchases the gate admitted from that stream, instead of writing
 * them, until it is turned off: then each held purchase is released once.
 */
final class KillswitchHold {

  private KillswitchHold() {}

  /** Whether the killswitch of the purchase's stream holds it. */
  static boolean holds(FlagSnapshot flags, PurchaseEvent event) {
    return flags.killswitchEngaged(killswitchOf(event.origin()));
  }

  /**
   * Hands each held purchase whose killswitch is off to {@code release}, in order; returns the
   * others, which stay held.
   */
  static List<PurchaseEvent> release(
      FlagSnapshot flags, Iterable<PurchaseEvent> held, Consumer<PurchaseEvent> release) {
    return release(flags, held, Integer.MAX_VALUE, release);
  }

  /**
   * As {@link #release(FlagSnapshot, Iterable, Consumer)}, but hands over at most {@code limit}:
   * the first of those no longer held, in order.
   */
  static List<PurchaseEvent> release(
      FlagSnapshot flags,
      Iterable<PurchaseEvent> held,
      int limit,
      Consumer<PurchaseEvent> release) {
    List<PurchaseEvent> keep = new ArrayList<>();
    int left = limit;
    for (PurchaseEvent event : held) {
      if (left > 0 && !holds(flags, event)) {
        release.accept(event);
        left--;
      } else {
        keep.add(event);
      }
    }
    return keep;
  }

  static String killswitchOf(Origin origin) {
    switch (origin) {
      case RECEIPT_STREAM:
        return FlagNames.RECEIPT_KILLSWITCH;
      case FACTOID_STREAM:
        return FlagNames.FACTOID_KILLSWITCH;
      default:
        throw new IllegalArgumentException(origin + " events do not pass the live gate");
    }
  }
}
