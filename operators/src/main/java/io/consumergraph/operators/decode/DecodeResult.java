package io.consumergraph.operators.decode;

/**
 * What a decoder made of one record: a value to process, a filtered event, or a rejection.
 *
 * @param <T> what the decoder produces (a purchase, an enrollment, a load request, ...)
 */
public sealed interface DecodeResult<T> {

  /** A value to process; {@code droppedItems} items had no FIDO and were left out. */
  record Accepted<T>(T value, int droppedItems) implements DecodeResult<T> {}

  /** A well-formed event that the graph does not take (counted, not dead-lettered). */
  record Filtered<T>(FilterReason reason) implements DecodeResult<T> {}

  /** A record that cannot be processed: it goes to the dead-letter output with the reason. */
  record Rejected<T>(String reason, String detail) implements DecodeResult<T> {}

  static <T> DecodeResult<T> accepted(T value) {
    return new Accepted<>(value, 0);
  }

  static <T> DecodeResult<T> undecodable(String detail) {
    return new Rejected<>("undecodable", detail);
  }

  static <T> DecodeResult<T> invalid(String detail) {
    return new Rejected<>("invalid", detail);
  }
}
