package io.consumergraph.simulator.service;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Where the next Purchase History page starts, and the "now" of the first page, so that pages never
 * shift under the client: {@code base64url("offset:nowMs")}.
 */
record PageToken(int offset, long nowMs) {

  String encode() {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((offset + ":" + nowMs).getBytes(StandardCharsets.UTF_8));
  }

  /** The token this string encodes, or null when it encodes none. */
  static PageToken decode(String token) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
      if (parts.length != 2) {
        return null;
      }
      long offset = Long.parseLong(parts[0]);
      return offset < 0 || offset > Integer.MAX_VALUE
          ? null
          : new PageToken((int) offset, Long.parseLong(parts[1]));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
