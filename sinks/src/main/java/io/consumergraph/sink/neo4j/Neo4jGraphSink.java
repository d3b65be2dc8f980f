package io.consumergraph.sink.neo4j;

import io.consumergraph.model.GraphUpdate;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Flink sink that writes {@link GraphUpdate}s to the Neo4j purchase graph: batched UNWIND Cypher,
 * FullLoad semantics, purchase-id de-duplication, retried transient errors. Key the input by user
 * so one user's updates reach one writer in order.
 */
public final class Neo4jGraphSink implements Sink<GraphUpdate> {

  private static final long serialVersionUID = 1L;

  private final Neo4jSinkConfig config;
  private final RejectedUpdates rejectedUpdates;

  /** A sink that fails on an update Neo4j rejects for good ({@link RejectedUpdates#failing()}). */
  public Neo4jGraphSink(Neo4jSinkConfig config) {
    this(config, RejectedUpdates.failing());
  }

  /** A sink that sets the updates Neo4j rejects for good aside to {@code rejectedUpdates}. */
  public Neo4jGraphSink(Neo4jSinkConfig config, RejectedUpdates rejectedUpdates) {
    this.config = Objects.requireNonNull(config, "config");
    this.rejectedUpdates = Objects.requireNonNull(rejectedUpdates, "rejectedUpdates");
  }

  public Neo4jSinkConfig config() {
    return config;
  }

  @Override
  public SinkWriter<GraphUpdate> createWriter(WriterInitContext context) throws IOException {
    try {
      return new Neo4jGraphWriter(
          config,
          context.getProcessingTimeService(),
          context.metricGroup(),
          rejectedUpdates.open());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while starting the Neo4j writer", e);
    }
  }
}
