package io.consumergraph.tools.backfill;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Collects user ids from any source (a file, a request body, a query): validates each, keeps the
 * first occurrence of a repeated id, and enforces the cap. Every source goes through this one
 * class, so the CLI and the admin service accept exactly the same ids.
 */
public final class UserIdCollector {

  /** The most distinct user ids one backfill may send. */
  public static final int MAX_USER_IDS = 1_000_000;

  private final int maxIds;
  private final List<String> ids = new ArrayList<>();
  private final Set<String> seen = new HashSet<>();
  private int[] lines = new int[64];
  private final List<InvalidUserIdsException.Problem> problems = new ArrayList<>();
  private int problemCount;
  private int duplicates;
  private int emptyLines;
  private boolean overCap;

  public UserIdCollector() {
    this(MAX_USER_IDS);
  }

  public UserIdCollector(int maxIds) {
    this.maxIds = maxIds;
  }

  /** Adds the id found at {@code line}; false once the cap is exceeded (stop reading). */
  public boolean add(String id, int line) {
    String problem = UserIdValidator.problem(id);
    if (problem != null) {
      reject(line, id == null ? null : UserIdValidator.abbreviated(id), problem);
      return true;
    }
    if (!seen.add(id)) {
      duplicates++;
      return true;
    }
    if (ids.size() == maxIds) {
      overCap = true;
      return false;
    }
    if (ids.size() == lines.length) {
      lines = Arrays.copyOf(lines, lines.length * 2);
    }
    lines[ids.size()] = line;
    ids.add(id);
    return true;
  }

  /** Records a problem that is not about one id's characters (a broken CSV row). */
  public void reject(int line, String id, String reason) {
    problemCount++;
    if (problems.size() < InvalidUserIdsException.MAX_LISTED) {
      problems.add(new InvalidUserIdsException.Problem(line, id, reason));
    }
  }

  public void emptyLine() {
    emptyLines++;
  }

  /** The ids, or why they cannot be sent; {@code what} names the source in the message. */
  public UserIds result(String what) throws InvalidUserIdsException {
    if (overCap) {
      throw new InvalidUserIdsException(
          what + " has more than " + String.format("%,d", maxIds) + " distinct user ids (the cap)");
    }
    if (problemCount > 0) {
      throw new InvalidUserIdsException(
          what
              + " has "
              + problemCount
              + (problemCount == 1 ? " malformed user id" : " malformed user ids"),
          problems,
          problemCount);
    }
    return new UserIds(List.copyOf(ids), Arrays.copyOf(lines, ids.size()), duplicates, emptyLines);
  }
}
