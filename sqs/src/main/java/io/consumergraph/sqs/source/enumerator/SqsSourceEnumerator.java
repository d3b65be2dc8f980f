package io.consumergraph.sqs.source.enumerator;

import io.consumergraph.sqs.source.config.SqsQueueSpec;
import io.consumergraph.sqs.source.split.SqsQueueSplit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every registered reader one split per queue.
 *
 * <p>SQS spreads a queue's messages over all its consumers, so there is nothing to partition: each
 * reader subtask owns a (queue, subtask) split for every queue. A split is assigned when its reader
 * registers and again after a failover returned it, and never twice while assigned.
 */
public final class SqsSourceEnumerator
    implements SplitEnumerator<SqsQueueSplit, SqsEnumeratorState> {

  private static final Logger LOG = LoggerFactory.getLogger(SqsSourceEnumerator.class);

  private final SplitEnumeratorContext<SqsQueueSplit> context;
  private final List<SqsQueueSpec> queues;
  private final Set<String> assigned;

  public SqsSourceEnumerator(
      SplitEnumeratorContext<SqsQueueSplit> context,
      List<SqsQueueSpec> queues,
      SqsEnumeratorState restored) {
    this.context = context;
    this.queues = List.copyOf(queues);
    this.assigned = new HashSet<>(restored == null ? Set.of() : restored.assignedSplitIds());
  }

  @Override
  public void start() {
    // Nothing to discover: the queues are fixed; assignment happens on reader registration.
  }

  @Override
  public void handleSplitRequest(int subtaskId, String requesterHostname) {
    // Readers never ask; they get their splits when they register.
  }

  @Override
  public void addSplitsBack(List<SqsQueueSplit> splits, int subtaskId) {
    // A failed reader's splits since the last checkpoint come back; they go to the same subtask
    // when it registers again (or now, if it already has).
    for (SqsQueueSplit split : splits) {
      assigned.remove(split.splitId());
    }
    if (context.registeredReaders().containsKey(subtaskId)) {
      assignMissing(subtaskId);
    }
  }

  @Override
  public void addReader(int subtaskId) {
    assignMissing(subtaskId);
  }

  private void assignMissing(int subtaskId) {
    List<SqsQueueSplit> splits = new ArrayList<>();
    for (SqsQueueSpec queue : queues) {
      SqsQueueSplit split = SqsQueueSplit.of(queue.queueUrl(), queue.priority(), subtaskId);
      if (assigned.add(split.splitId())) {
        splits.add(split);
      }
    }
    if (!splits.isEmpty()) {
      LOG.info("Assigning {} SQS queue split(s) to subtask {}", splits.size(), subtaskId);
      context.assignSplits(new SplitsAssignment<>(Map.of(subtaskId, splits)));
    }
  }

  @Override
  public SqsEnumeratorState snapshotState(long checkpointId) {
    return new SqsEnumeratorState(assigned);
  }

  @Override
  public void close() {}
}
