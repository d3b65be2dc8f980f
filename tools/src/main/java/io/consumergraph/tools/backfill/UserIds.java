package io.consumergraph.tools.backfill;

import java.util.List;

/**
 * The distinct user ids of a source, in first-occurrence order, with the line each came from.
 *
 * @param ids the ids, each once
 * @param lines the 1-based line number of each id (same index), 0 when the source has no lines
 * @param duplicates how many repeated ids were dropped
 * @param emptyLines how many empty lines were skipped
 */
public record UserIds(List<String> ids, int[] lines, int duplicates, int emptyLines) {

  public int size() {
    return ids.size();
  }

  /** Ids without line numbers (a request body, a Neo4j query). */
  public static UserIds of(List<String> ids, int duplicates) {
    return new UserIds(List.copyOf(ids), new int[ids.size()], duplicates, 0);
  }
}
