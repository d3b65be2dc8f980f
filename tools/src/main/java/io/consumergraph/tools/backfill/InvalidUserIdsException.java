package io.consumergraph.tools.backfill;

import java.util.List;
import java.util.stream.Collectors;

/** A user id source that cannot be sent: malformed ids, too many ids, or an unreadable file. */
public final class InvalidUserIdsException extends Exception {

  /** One rejected id: where it was (1-based line, or 1-based position in a list) and why. */
  public record Problem(int line, String id, String reason) {
    @Override
    public String toString() {
      return "line " + line + ": " + reason + (id == null ? "" : " ('" + id + "')");
    }
  }

  /** How many problems an exception keeps (and an error message or response lists). */
  public static final int MAX_LISTED = 100;

  private final List<Problem> problems;
  private final int problemCount;

  public InvalidUserIdsException(String message) {
    this(message, List.of(), 0);
  }

  public InvalidUserIdsException(String message, List<Problem> problems, int problemCount) {
    super(message);
    this.problems = List.copyOf(problems);
    this.problemCount = problemCount;
  }

  /** The first {@link #MAX_LISTED} problems. */
  public List<Problem> problems() {
    return problems;
  }

  /** The number of problems found, including those not kept. */
  public int problemCount() {
    return problemCount;
  }

  /** The message followed by the first {@code max} problems, one a line. */
  public String describe(int max) {
    if (problems.isEmpty()) {
      return getMessage();
    }
    String listed =
        problems.stream().limit(max).map(p -> "  " + p).collect(Collectors.joining("\n"));
    int more = problemCount - Math.min(max, problems.size());
    return getMessage() + "\n" + listed + (more > 0 ? "\n  … and " + more + " more" : "");
  }
}
