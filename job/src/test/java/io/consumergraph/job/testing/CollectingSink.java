package io.consumergraph.job.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that keeps what it receives in memory, for jobs that run in the test's JVM (a local
 * MiniCluster). Each instance has its own collection; {@link #received()} reads it.
 */
public final class CollectingSink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;

  private static final Map<String, Queue<Object>> RECEIVED = new ConcurrentHashMap<>();

  private final String id = UUID.randomUUID().toString();

  public CollectingSink() {
    RECEIVED.put(id, new ConcurrentLinkedQueue<>());
  }

  /** What every writer of this sink has received so far. */
  @SuppressWarnings("unchecked")
  public List<T> received() {
    List<T> copy = new ArrayList<>();
    for (Object element : RECEIVED.get(id)) {
      copy.add((T) element);
    }
    return copy;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    Queue<Object> into = RECEIVED.get(id);
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ignored) {
        into.add(element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
