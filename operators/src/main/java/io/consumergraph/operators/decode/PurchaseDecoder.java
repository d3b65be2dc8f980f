package io.consumergraph.operators.decode;

import java.io.Serializable;
import java.util.Set;

/** Turns the bytes of one input record into a {@link DecodeResult}; must never throw. */
@FunctionalInterface
public interface PurchaseDecoder extends Serializable {

  DecodeResult decode(byte[] payload, long nowMs);

  /** The filter reasons this decoder can return; each gets a counter. */
  default Set<FilterReason> filterReasons() {
    return Set.of(FilterReason.values());
  }
}
