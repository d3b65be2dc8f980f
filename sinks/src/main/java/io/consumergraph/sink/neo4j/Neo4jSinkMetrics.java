package io.consumergraph.sink.neo4j;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/** The Neo4j sink's counters and gauge, registered on the writer's metric group. */
final class Neo4jSinkMetrics {

  /** Batches written (or logged, when logOnly). */
  final Counter batches;

  /** Cypher rows sent, summed over all statements of a batch, after pre-aggregation. */
  final Counter rows;

  /** Node and IN_CATEGORY rows not sent because this writer had already written them. */
  final Counter skippedRows;

  /** Graph updates written. */
  final Counter updates;

  /** Batch attempts retried after a transient error. */
  final Counter retries;

  /** Batches given up: fatal error or retries exhausted. */
  final Counter failures;

  /** Updates Neo4j rejected for good, set aside to {@link RejectedUpdates}. */
  final Counter rejectedUpdates;

  /** Transactions spent writing the parts of rejected batches to isolate the updates at fault. */
  final Counter isolationWrites;

  /**
   * Users this writer created in Neo4j (committed). Their relationships are written with CREATE
   * instead of MERGE: a first FullLoad's cheaper path.
   */
  final Counter newUsers;

  /** Commit time of the last 1,024 batches, retries included: Prometheus gets its quantiles. */
  private final Histogram batchLatencyMs;

  private volatile long lastBatchMillis;
  private volatile long unavailableSinceMs;

  Neo4jSinkMetrics(MetricGroup group) {
    batches = group.counter("neo4jBatches");
    rows = group.counter("neo4jRows");
    skippedRows = group.counter("neo4jSkippedRows");
    updates = group.counter("neo4jUpdates");
    retries = group.counter("neo4jRetries");
    failures = group.counter("neo4jFailures");
    rejectedUpdates = group.counter("neo4jRejectedUpdates");
    isolationWrites = group.counter("neo4jIsolationWrites");
    newUsers = group.counter("neo4jNewUsers");
    batchLatencyMs =
        group.histogram("neo4jBatchLatencyMs", new DescriptiveStatisticsHistogram(1024));
    Gauge<Long> lastBatch = () -> lastBatchMillis;
    group.gauge("neo4jLastBatchMillis", lastBatch);
    // How long Neo4j has been unreachable for the writer, 0 when it is not: alert on it.
    Gauge<Long> unavailable =
        () -> {
          long since = unavailableSinceMs;
          return since == 0 ? 0 : System.currentTimeMillis() - since;
        };
    group.gauge("neo4jUnavailableMillis", unavailable);
  }

  /** The outage began at {@code sinceMs}; 0 when Neo4j is reachable again. */
  void unavailableSince(long sinceMs) {
    unavailableSinceMs = sinceMs;
  }

  void lastBatchMillis(long millis) {
    lastBatchMillis = millis;
    synchronized (batchLatencyMs) {
      batchLatencyMs.update(millis);
    }
  }

  Histogram batchLatencyMs() {
    return batchLatencyMs;
  }

  long lastBatchMillis() {
    return lastBatchMillis;
  }
}
