package io.consumergraph.operators.poll;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.metrics.MetricGroup;

/**
 * One periodic poll of an external resource (a flag document, an id list). Runs on the source
 * reader's own thread; returns the records to emit, empty when nothing changed.
 */
public interface Poller<T> extends Serializable, AutoCloseable {

  /**
   * Called once on the task manager before the first poll, with the source reader's metric group
   * for the poller's own metrics.
   */
  default void open(MetricGroup metrics) throws Exception {}

  List<T> poll() throws Exception;

  @Override
  default void close() throws Exception {}
}
