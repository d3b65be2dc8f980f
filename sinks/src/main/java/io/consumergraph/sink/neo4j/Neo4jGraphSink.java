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
  private final String metricGroup;

  /** A sink that fails on an update Neo4j rejects for good ({@link RejectedUpdates#failing()}). */
  public Neo4jGraphSink(Neo4jSinkConfig config) {
    this(config, RejectedUpdates.failing());
  }

  /** A sink that sets the updates Neo4j rejects for good aside to {@code rejectedUpdates}. */
  public Neo4jGraphSink(Neo4jSinkConfig config, RejectedUpdates rejectedUpdates) {
    this(config, rejectedUpdates, "");
  }

  private Neo4jGraphSink(Neo4jSinkConfig config, RejectedUpdates rejectedUpdates, String group) {
    this.config = Objects.requireNonNull(config, "config");
    this.rejectedUpdates = Objects.requireNonNull(rejectedUpdates, "rejectedUpdates");
    this.metricGroup = Objects.requireNonNull(group, "group");
  }

  /** The same sink, its writer's metrics under the group {@code name} (Managed Flink). */
  public Neo4jGraphSink withMetricGroup(String name) {
    return new Neo4jGraphSink(config, rejectedUpdates, name == null ? "" : name);
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
          metricGroup.isEmpty()
              ? context.metricGroup()
              : context.metricGroup().addGroup(metricGroup),
          rejectedUpdates.open(),
          WrittenNodeCache.DEFAULT_MAX_ENTRIES_PER_KIND);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Interrupted while starting the Neo4j writer", e);
    }
  }
}
