package io.consumergraph.model;

/** The purchase channel a purchase came through. */
public enum Channel {
  /** A scanned receipt; its id is the receipt id. */
  RECEIPT,
  /** A shop order; its id is the factoid summaryID, which is BTS's buttonOrderId. */
  SHOP_ORDER
}
