package io.consumergraph.tools.backfill;

import java.nio.charset.StandardCharsets;

/**
 * Decides whether a string is a user id the job accepts. Mirrors {@code UserLoadRequestParser} (not
 * empty, not {@code .} or {@code ..}, at most 1,024 UTF-8 bytes) and is stricter where a file or a
 * request body would otherwise smuggle in a broken id: no whitespace, no control characters, no
 * unpaired surrogates.
 */
public final class UserIdValidator {

  /** The job's limit on an id, in UTF-8 bytes (PurchaseChecks.MAX_ID_BYTES). */
  public static final int MAX_ID_BYTES = 1024;

  private UserIdValidator() {}

  /** Null when {@code id} is a valid user id, else what is wrong with it. */
  public static String problem(String id) {
    if (id == null || id.isEmpty()) {
      return "empty user id";
    }
    if (id.equals(".") || id.equals("..")) {
      return "'" + id + "' is not a user id";
    }
    for (int i = 0; i < id.length(); ) {
      int cp = id.codePointAt(i);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        return "whitespace at position " + (i + 1);
      }
      if (Character.isISOControl(cp)) {
        return String.format("control character U+%04X at position %d", cp, i + 1);
      }
      if (Character.isSurrogate((char) cp)) {
        return "unpaired surrogate at position " + (i + 1);
      }
      i += Character.charCount(cp);
    }
    if (id.length() * 3L > MAX_ID_BYTES) {
      int bytes = id.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > MAX_ID_BYTES) {
        return bytes + " bytes long, more than " + MAX_ID_BYTES;
      }
    }
    return null;
  }

  /** An id short enough for an error message. */
  public static String abbreviated(String id) {
    return id.length() <= 80 ? id : id.substring(0, 80) + "…";
  }
}
