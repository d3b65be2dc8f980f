package io.consumergraph.sqs.proxy;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * One message to send: its body and its string message attributes. Both must hold only characters
 * SQS accepts ({@link #sqsText}, {@link #sanitize}) and the body must not be empty.
 *
 * @param body the message body
 * @param attributes string message attributes, by name
 * @param describe what the message is, for logs and errors (never its body: it may be large)
 */
public record OutgoingSqsMessage(String body, Map<String, String> attributes, String describe) {

  public OutgoingSqsMessage {
    Objects.requireNonNull(body, "body");
    attributes = Map.copyOf(attributes);
    Objects.requireNonNull(describe, "describe");
  }

  /**
   * The bytes SQS counts towards its size limit: the body, and every attribute's name, type and
   * value.
   */
  public int bytes() {
    int bytes = body.getBytes(StandardCharsets.UTF_8).length;
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      bytes += e.getKey().length() + "String".length();
      bytes += e.getValue().getBytes(StandardCharsets.UTF_8).length;
    }
    return bytes;
  }

  /** {@code payload} as text when it is valid UTF-8 of characters SQS accepts, else null. */
  public static String sqsText(byte[] payload) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload))
              .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
    return text.codePoints().allMatch(OutgoingSqsMessage::allowed) ? text : null;
  }

  /** {@code s} with every character SQS refuses replaced by U+FFFD. */
  public static String sanitize(String s) {
    if (s.codePoints().allMatch(OutgoingSqsMessage::allowed)) {
      return s;
    }
    StringBuilder out = new StringBuilder(s.length());
    s.codePoints().forEach(c -> out.appendCodePoint(allowed(c) ? c : 0xFFFD));
    return out.toString();
  }

  /** The characters an SQS message body or attribute may contain. */
  private static boolean allowed(int c) {
    return c == 0x9
        || c == 0xA
        || c == 0xD
        || (c >= 0x20 && c <= 0xD7FF)
        || (c >= 0xE000 && c <= 0xFFFD)
        || (c >= 0x10000 && c <= 0x10FFFF);
  }
}
