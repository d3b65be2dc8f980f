package io.consumergraph.operators.decode;

import io.consumergraph.model.PurchaseEvent;

/** What a decoder made of one record: a purchase to process, a filtered event, or a rejection. */
public sealed interface DecodeResult {

  /** A purchase to process; {@code droppedItems} items had no FIDO and were left out. */
  record Accepted(PurchaseEvent event, int droppedItems) implements DecodeResult {}

  /** A well-formed event that the graph does not take (counted, not dead-lettered). */
  record Filtered(FilterReason reason) implements DecodeResult {}

  /** A record that cannot be processed: it goes to the dead-letter output with the reason. */
  record Rejected(String reason, String detail) implements DecodeResult {}

  static DecodeResult undecodable(String detail) {
    return new Rejected("undecodable", detail);
  }

  static DecodeResult invalid(String detail) {
    return new Rejected("invalid", detail);
  }
}
