package io.consumergraph.tools.backfill;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a user file: one user id per line, or CSV whose header row has a {@code user_id} column.
 * Empty lines are skipped, surrounding whitespace is trimmed, repeated ids are dropped (the first
 * occurrence wins) and malformed ids are reported with their line numbers.
 */
public final class UserFileReader {

  public static final String CSV_COLUMN = "user_id";

  private UserFileReader() {}

  public static UserIds read(Path file) throws InvalidUserIdsException, IOException {
    return read(file, UserIdCollector.MAX_USER_IDS);
  }

  public static UserIds read(Path file, int maxIds) throws InvalidUserIdsException, IOException {
    if (Files.isDirectory(file)) {
      throw new InvalidUserIdsException("user file " + file + " is a directory");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return read(in, "user file " + file, maxIds);
    } catch (NoSuchFileException e) {
      throw new InvalidUserIdsException("user file " + file + " does not exist");
    }
  }

  public static UserIds read(byte[] content, String what, int maxIds)
      throws InvalidUserIdsException, IOException {
    return read(new ByteArrayInputStream(content), what, maxIds);
  }

  /** Reads UTF-8 text; {@code what} names the source in messages ("user file users.txt"). */
  public static UserIds read(InputStream in, String what, int maxIds)
      throws InvalidUserIdsException, IOException {
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    UserIdCollector collector = new UserIdCollector(maxIds);
    int lineNo = 0;
    int column = -1; // the user_id column of a CSV file, -1 for a plain list
    boolean first = true;
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, decoder))) {
      String line;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (lineNo == 1 && line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
        String trimmed = line.strip();
        if (trimmed.isEmpty()) {
          collector.emptyLine();
          continue;
        }
        if (first) {
          first = false;
          if (trimmed.contains(",") || trimmed.equalsIgnoreCase(CSV_COLUMN)) {
            column = headerColumn(trimmed);
            if (column < 0) {
              throw new InvalidUserIdsException(
                  what
                      + ": line "
                      + lineNo
                      + " looks like a CSV header but has no '"
                      + CSV_COLUMN
                      + "' column");
            }
            continue;
          }
        }
        boolean more;
        if (column < 0) {
          more = collector.add(trimmed, lineNo);
        } else {
          List<String> fields = csvFields(trimmed);
          if (fields == null) {
            collector.reject(lineNo, null, "unterminated quote in CSV row");
            continue;
          }
          if (column >= fields.size()) {
            collector.reject(lineNo, null, "CSV row has no " + CSV_COLUMN + " value");
            continue;
          }
          more = collector.add(fields.get(column).strip(), lineNo);
        }
        if (!more) {
          break;
        }
      }
    } catch (CharacterCodingException e) {
      throw new InvalidUserIdsException(what + ": line " + (lineNo + 1) + " is not valid UTF-8");
    }
    return collector.result(what);
  }

  private static int headerColumn(String header) {
    List<String> names = csvFields(header);
    if (names == null) {
      return -1;
    }
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).strip().equalsIgnoreCase(CSV_COLUMN)) {
        return i;
      }
    }
    return -1;
  }

  /** The fields of one CSV row (RFC 4180 quoting within the line), null if a quote is open. */
  static List<String> csvFields(String row) {
    List<String> fields = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < row.length(); i++) {
      char c = row.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < row.length() && row.charAt(i + 1) == '"') {
            field.append('"');
            i++;
          } else {
            quoted = false;
          }
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    if (quoted) {
      return null;
    }
    fields.add(field.toString());
    return fields;
  }
}
