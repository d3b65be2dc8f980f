package io.consumergraph.sqs.source.split;

import java.util.List;
import java.util.Objects;
import org.apache.flink.api.connector.source.SourceSplit;

/**
 * The right of one reader subtask to poll one queue.
 *
 * <p>SQS queues are shared work queues without offsets, so a split is not a slice of the data but a
 * (queue, owner subtask) pair: every reader polls every queue. What a split carries through a
 * checkpoint are the receipt handles of messages whose effect that checkpoint covers but which are
 * not deleted yet; a reader restored from the checkpoint deletes them, because the checkpoint it
 * restores from has completed.
 *
 * @param queueUrl the queue to poll
 * @param priority higher is polled first
 * @param ownerSubtask the reader subtask the enumerator created the split for
 * @param pendingReceiptHandles handles covered by the checkpoint but not yet deleted
 */
public record SqsQueueSplit(
    String queueUrl, int priority, int ownerSubtask, List<String> pendingReceiptHandles)
    implements SourceSplit {

  public SqsQueueSplit {
    Objects.requireNonNull(queueUrl, "queueUrl");
    pendingReceiptHandles = List.copyOf(pendingReceiptHandles);
  }

  public static SqsQueueSplit of(String queueUrl, int priority, int ownerSubtask) {
    return new SqsQueueSplit(queueUrl, priority, ownerSubtask, List.of());
  }

  /** The id of the split for a queue and subtask, stable across restarts. */
  public static String splitId(String queueUrl, int ownerSubtask) {
    return queueUrl + "#" + ownerSubtask;
  }

  @Override
  public String splitId() {
    return splitId(queueUrl, ownerSubtask);
  }

  public SqsQueueSplit withPendingReceiptHandles(List<String> handles) {
    return new SqsQueueSplit(queueUrl, priority, ownerSubtask, handles);
  }
}
