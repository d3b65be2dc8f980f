package io.consumergraph.job.testing;

import io.consumergraph.model.GraphUpdate;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A graph sink that fails its task right after it has taken a FullLoad, before any checkpoint can
 * cover it: the first {@code buffered} times with the FullLoad only in the writer's buffer, the
 * next {@code written} times once the FullLoad has been flushed to Neo4j. The counts live in a
 * static map under a name, because Flink serializes the sink and the MiniCluster runs it in this
 * JVM.
 */
public final class FailAfterFullLoads implements Sink<GraphUpdate> {

  private static final long serialVersionUID = 1L;

  private static final Map<String, AtomicInteger[]> REMAINING = new ConcurrentHashMap<>();

  private final Sink<GraphUpdate> delegate;
  private final String name;

  public FailAfterFullLoads(Sink<GraphUpdate> delegate, String name, int buffered, int written) {
    this.delegate = delegate;
    this.name = name;
    REMAINING.put(
        name, new AtomicInteger[] {new AtomicInteger(buffered), new AtomicInteger(written)});
  }

  /** How many of the failures are still to come. */
  public static int remaining(String name) {
    AtomicInteger[] left = REMAINING.get(name);
    return left[0].get() + left[1].get();
  }

  @Override
  public SinkWriter<GraphUpdate> createWriter(WriterInitContext context) throws IOException {
    SinkWriter<GraphUpdate> writer = delegate.createWriter(context);
    AtomicInteger[] left = REMAINING.get(name);
    return new SinkWriter<>() {
      @Override
      public void write(GraphUpdate update, Context ctx) throws IOException, InterruptedException {
        writer.write(update, ctx);
        if (!update.fullLoad()) {
          return;
        }
        if (left[0].getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new IOException("injected: task fails with a FullLoad in the writer's buffer");
        }
        if (left[1].getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          writer.flush(false);
          throw new IOException("injected: task fails with a FullLoad in Neo4j, no checkpoint yet");
        }
      }

      @Override
      public void flush(boolean endOfInput) throws IOException, InterruptedException {
        writer.flush(endOfInput);
      }

      @Override
      public void close() throws Exception {
        writer.close();
      }
    };
  }
}
