package io.consumergraph.operators.gate;

import io.consumergraph.model.PurchaseEvent;

/**
 * Everything the keyed {@link UserGate} hears about one user: a live purchase, the user's
 * membership in a version of an id list, or an experiment enrollment. Exactly one is set.
 */
public record GateInput(
    String userId, PurchaseEvent purchase, String listKey, String listVersion, Boolean enrolled) {

  public static GateInput purchase(PurchaseEvent event) {
    return new GateInput(event.userId(), event, null, null, null);
  }

  public static GateInput membership(String userId, String listKey, String listVersion) {
    return new GateInput(userId, null, listKey, listVersion, null);
  }

  public static GateInput enrollment(String userId, boolean enrolled) {
    return new GateInput(userId, null, null, null, enrolled);
  }
}
