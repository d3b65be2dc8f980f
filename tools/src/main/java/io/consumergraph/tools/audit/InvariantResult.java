package io.consumergraph.tools.audit;

import java.util.List;

/**
 * One checked invariant: how many nodes or edges break it and up to N of them ({@code user ->
 * product} for an edge, the node's id for a node).
 */
public record InvariantResult(
    String name, Severity severity, String description, long count, List<String> examples) {

  public InvariantResult {
    examples = List.copyOf(examples);
  }

  public boolean broken() {
    return count > 0;
  }

  /** The line the verdict gives for it, e.g. {@code 2 PURCHASED edges with duplicate ...}. */
  public String reason() {
    return severity + " " + name + ": " + count + " " + description;
  }
}
