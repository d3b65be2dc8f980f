package io.consumergraph.tools.backfill;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The ids a stopped backfill has not confirmed sent, in order, one a line after a header line. The
 * header contains spaces, which no user id can, so it is never mistaken for an id.
 */
public final class ResumeFile {

  static final String HEADER = "# consumer-graph backfill resume file";

  private ResumeFile() {}

  /** True when {@code file} starts with the resume file header. */
  public static boolean isResumeFile(Path file) {
    if (!Files.isRegularFile(file)) {
      return false;
    }
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String first = reader.readLine();
      return first != null && first.startsWith(HEADER);
    } catch (IOException e) {
      return false;
    }
  }

  /** Writes atomically: a resume file is either the old one or the new one, never half. */
  public static void write(Path file, List<String> ids, SendPosition position, String note)
      throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
    try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      w.write(HEADER + ": " + note);
      w.newLine();
      for (int i = 0; i < ids.size(); i++) {
        if (!position.isSent(i)) {
          w.write(ids.get(i));
          w.newLine();
        }
      }
    }
    try {
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** The ids of a resume file, validated like a user file's. */
  public static UserIds read(Path file) throws IOException, InvalidUserIdsException {
    UserIdCollector collector = new UserIdCollector();
    try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line = reader.readLine();
      if (line == null || !line.startsWith(HEADER)) {
        throw new InvalidUserIdsException(file + " is not a backfill resume file");
      }
      int lineNo = 1;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        if (line.isEmpty()) {
          collector.emptyLine();
        } else if (!collector.add(line, lineNo)) {
          break;
        }
      }
    }
    return collector.result("resume file " + file);
  }
}
