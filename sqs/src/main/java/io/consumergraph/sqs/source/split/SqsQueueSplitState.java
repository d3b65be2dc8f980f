package io.consumergraph.sqs.source.split;

/**
 * The reader's mutable view of a split. There is no position to advance (SQS has no offsets); the
 * in-flight receipt handles are tracked per split id by the reader's in-flight registry.
 */
public final class SqsQueueSplitState {

  private final SqsQueueSplit split;
  private long emitted;

  public SqsQueueSplitState(SqsQueueSplit split) {
    this.split = split.withPendingReceiptHandles(java.util.List.of());
  }

  public SqsQueueSplit split() {
    return split;
  }

  public void onEmitted() {
    emitted++;
  }

  /** Messages emitted from this split since the reader got it. */
  public long emitted() {
    return emitted;
  }
}
