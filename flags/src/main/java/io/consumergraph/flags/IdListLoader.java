package io.consumergraph.flags;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Streams the user ids of an id list (S3, HTTP or file) to a callback without holding them: one id
 * per line, or CSV whose first column is the id; blank lines and a {@code user_id} header are
 * skipped, surrounding spaces and quotes removed, repeated ids emitted once.
 *
 * <p>Meant to run in one place (the flag source), which routes each id to the keyed state of its
 * user, so no subtask ever holds a whole list.
 */
public final class IdListLoader {

  /** The header the exports carry; matched case-insensitively on the first column. */
  public static final String HEADER = "user_id";

  private final FlagDocumentFetcher fetcher;

  public IdListLoader(FlagDocumentFetcher fetcher) {
    this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
  }

  /**
   * Streams the list unless its version equals {@code known}.
   *
   * @return the stats of the stream, empty when the list is unchanged
   */
  public Optional<IdListStats> streamIfChanged(
      DocumentLocation location, ContentVersion known, Consumer<String> ids) throws IOException {
    Optional<VersionedStream> opened = fetcher.openIfChanged(location, known);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    try (VersionedStream stream = opened.get()) {
      return Optional.of(stream(stream.stream(), stream.version(), ids));
    } catch (IOException e) {
      throw new IOException(location + ": " + e.getMessage(), e);
    }
  }

  /** Parses one list from {@code in} (UTF-8), emitting each distinct id once. */
  public static IdListStats stream(InputStream in, ContentVersion version, Consumer<String> ids)
      throws IOException {
    long started = System.nanoTime();
    IdDeduplicator seen = new IdDeduplicator();
    long emitted = 0;
    long duplicates = 0;
    long skipped = 0;
    BufferedReader reader =
        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
    boolean first = true;
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      if (first && line.startsWith("\uFEFF")) {
        line = line.substring(1);
      }
      first = false;
      String id = firstColumn(line);
      if (id == null || id.isEmpty() || id.equalsIgnoreCase(HEADER)) {
        skipped++;
        continue;
      }
      if (seen.firstTime(id)) {
        ids.accept(id);
        emitted++;
      } else {
        duplicates++;
      }
    }
    return new IdListStats(
        version, emitted, duplicates, skipped, Duration.ofNanos(System.nanoTime() - started));
  }

  /** The first CSV field, trimmed, with RFC 4180 quotes removed; null when malformed. */
  static String firstColumn(String line) {
    String trimmed = line.strip();
    if (trimmed.isEmpty()) {
      return "";
    }
    if (trimmed.charAt(0) != '"') {
      int comma = trimmed.indexOf(',');
      return (comma < 0 ? trimmed : trimmed.substring(0, comma)).strip();
    }
    StringBuilder field = new StringBuilder();
    for (int i = 1; i < trimmed.length(); i++) {
      char c = trimmed.charAt(i);
      if (c == '"') {
        if (i + 1 < trimmed.length() && trimmed.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else {
          return field.toString().strip();
        }
      } else {
        field.append(c);
      }
    }
    return null;
  }
}
