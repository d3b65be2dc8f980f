package io.consumergraph.operators.decode;

import java.io.Serializable;

/** Turns the bytes of one input record into a {@link DecodeResult}; must never throw. */
@FunctionalInterface
public interface PurchaseDecoder extends Serializable {

  DecodeResult decode(byte[] payload, long nowMs);
}
