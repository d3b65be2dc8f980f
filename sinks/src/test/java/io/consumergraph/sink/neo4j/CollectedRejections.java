package io.consumergraph.sink.neo4j;

import io.consumergraph.model.GraphUpdate;
import java.util.ArrayList;
import java.util.List;

/** A {@link RejectedUpdates.Writer} that keeps what it is given, and counts flushes. */
final class CollectedRejections implements RejectedUpdates.Writer {

  record Rejection(GraphUpdate update, String error) {}

  private final List<Rejection> rejections = new ArrayList<>();
  private int flushes;
  private int flushedCount;

  @Override
  public synchronized void rejected(GraphUpdate update, String error) {
    rejections.add(new Rejection(update, error));
  }

  @Override
  public synchronized void flush() {
    flushes++;
    flushedCount = rejections.size();
  }

  @Override
  public void close() {}

  synchronized List<Rejection> all() {
    return List.copyOf(rejections);
  }

  /** How many rejections the last flush covered. */
  synchronized int flushed() {
    return flushedCount;
  }

  synchronized int flushes() {
    return flushes;
  }
}
