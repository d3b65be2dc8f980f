package io.consumergraph.sqs.source.enumerator;

import java.util.Set;

/** The enumerator's checkpoint: ids of the (queue, subtask) splits handed out so far. */
public record SqsEnumeratorState(Set<String> assignedSplitIds) {

  public SqsEnumeratorState {
    assignedSplitIds = Set.copyOf(assignedSplitIds);
  }

  public static SqsEnumeratorState empty() {
    return new SqsEnumeratorState(Set.of());
  }
}
