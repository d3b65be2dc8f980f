package io.consumergraph.job.sqs;

import io.consumergraph.model.DeadLetter;
import io.consumergraph.sqs.proxy.OutgoingSqsMessage;
import io.consumergraph.sqs.sink.SqsSinkElementConverter;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A dead letter as one message on the SQS dead-letter queue: the original payload as the body
 * (ready to re-drive), reason, detail, source and failure time as message attributes.
 */
public final class DeadLetterMessages implements SqsSinkElementConverter<DeadLetter> {

  private static final long serialVersionUID = 1L;

  /** Exception messages can be long; the dead letter keeps the start, the logs have the rest. */
  static final int MAX_DETAIL_CHARS = 4_096;

  public static final String REASON = "dlq.reason";
  public static final String DETAIL = "dlq.detail";
  public static final String SOURCE = "dlq.source";
  public static final String FAILED_AT_MS = "dlq.failed-at-ms";
  public static final String PARTITION = "dlq.partition";
  public static final String OFFSET = "dlq.offset";

  /**
   * Present only when the body is not the payload as UTF-8 text: {@code base64} or {@code empty}.
   */
  public static final String BODY_ENCODING = "dlq.body-encoding";

  @Override
  public OutgoingSqsMessage toMessage(DeadLetter letter) {
    Map<String, String> attributes = new LinkedHashMap<>();
    put(attributes, REASON, letter.reason());
    put(attributes, DETAIL, truncate(letter.detail()));
    put(attributes, SOURCE, letter.source());
    put(attributes, FAILED_AT_MS, Long.toString(letter.failedAtMs()));
    if (letter.partition() >= 0) {
      put(attributes, PARTITION, Integer.toString(letter.partition()));
    }
    if (letter.offset() >= 0) {
      put(attributes, OFFSET, Long.toString(letter.offset()));
    }
    String body;
    byte[] payload = letter.payload();
    String text = payload == null ? null : OutgoingSqsMessage.sqsText(payload);
    if (payload == null || payload.length == 0) {
      body = "(empty payload)"; // SQS refuses an empty body
      put(attributes, BODY_ENCODING, "empty");
    } else if (text != null) {
      body = text;
    } else {
      // Not text SQS accepts (binary, invalid UTF-8, control characters): keep it exactly.
      body = Base64.getEncoder().encodeToString(payload);
      put(attributes, BODY_ENCODING, "base64");
    }
    int bytes = new OutgoingSqsMessage(body, attributes, "").bytes();
    String describe =
        "dead letter (reason "
            + letter.reason()
            + ", source "
            + letter.source()
            + (letter.partition() >= 0 ? "/" + letter.partition() + "@" + letter.offset() : "")
            + ", "
            + bytes
            + " bytes)";
    return new OutgoingSqsMessage(body, attributes, describe);
  }

  private static void put(Map<String, String> attributes, String name, String value) {
    // SQS refuses empty attribute values and characters outside its XML-safe set.
    attributes.put(
        name, value == null || value.isEmpty() ? "(none)" : OutgoingSqsMessage.sanitize(value));
  }

  private static String truncate(String detail) {
    if (detail == null || detail.length() <= MAX_DETAIL_CHARS) {
      return detail;
    }
    return detail.substring(0, MAX_DETAIL_CHARS) + "... (truncated)";
  }
}
