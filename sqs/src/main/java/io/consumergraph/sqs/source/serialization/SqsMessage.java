package io.consumergraph.sqs.source.serialization;

import java.util.Map;

/**
 * A received SQS message as the deserializer sees it.
 *
 * @param queueUrl the queue the message came from
 * @param messageId SQS's id of the message, stable across redeliveries (downstream dedup key)
 * @param body the raw body
 * @param attributes system attributes by name (ApproximateReceiveCount, SentTimestamp, ...)
 * @param messageAttributes string-valued message attributes set by the sender
 */
public record SqsMessage(
    String queueUrl,
    String messageId,
    String body,
    Map<String, String> attributes,
    Map<String, String> messageAttributes) {

  public static final String APPROXIMATE_RECEIVE_COUNT = "ApproximateReceiveCount";
  public static final String SENT_TIMESTAMP = "SentTimestamp";

  public SqsMessage {
    attributes = attributes == null ? Map.of() : Map.copyOf(attributes);
    messageAttributes = messageAttributes == null ? Map.of() : Map.copyOf(messageAttributes);
  }

  /** How often SQS has handed this message out, 1 on the first delivery. */
  public int receiveCount() {
    String value = attributes.get(APPROXIMATE_RECEIVE_COUNT);
    try {
      return value == null ? 1 : Integer.parseInt(value);
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** When the sender's SendMessage reached SQS (epoch ms), or -1 when SQS did not say. */
  public long sentTimestamp() {
    String value = attributes.get(SENT_TIMESTAMP);
    try {
      return value == null ? -1 : Long.parseLong(value);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
