package io.consumergraph.model;

/**
 * A record that could not be processed, with the reason and where it came from. Nothing is dropped
 * silently: every rejected record that is not a legitimate filter ends up as one of these.
 *
 * @param reason short machine-readable reason, e.g. {@code undecodable}
 * @param detail human-readable explanation (exception message, validation error)
 * @param source where the record came from, e.g. the Kafka topic or the SQS queue
 * @param partition Kafka partition, or -1
 * @param offset Kafka offset, or -1
 * @param payload the original bytes
 * @param failedAtMs when the record was rejected
 */
public record DeadLetter(
    String reason,
    String detail,
    String source,
    int partition,
    long offset,
    byte[] payload,
    long failedAtMs) {

  public static DeadLetter of(SourceRecord record, String reason, String detail, long nowMs) {
    return new DeadLetter(
        reason, detail, record.topic(), record.partition(), record.offset(), record.value(), nowMs);
  }
}
