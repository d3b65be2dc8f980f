package io.consumergraph.benchmarks;

import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps the last value of a few Flink metrics per task and subtask, read when Flink removes them at
 * the end of the job: where each vertex spent its time (busy, back-pressured, idle), the sink's
 * batch counters and the checkpoints taken. A bounded job's metrics are gone from the web UI and
 * REST API once it finishes; this is how the benchmark still sees them.
 */
public final class CapturingReporter implements MetricReporter {

  private static final Set<String> CAPTURED =
      Set.of(
          "accumulateBusyTimeMs",
          "accumulateBackPressuredTimeMs",
          "accumulateIdleTimeMs",
          "neo4jBatches",
          "neo4jRows",
          "neo4jUpdates",
          "neo4jRetries",
          "numberOfCompletedCheckpoints",
          "lastCheckpointDuration",
          "duplicatesDropped",
          "purchasesFirstSeen",
          // Enrichment that gave up: a purchase written without its metadata shows as a short
          // SHOPS_IN / IN_CATEGORY count in the graph check, and these say why.
          "upstreamFailures",
          "timeouts",
          "enrichmentIncomplete");

  /** "task name | metric" → summed over subtasks. */
  private static final Map<String, Double> VALUES = new TreeMap<>();

  static synchronized Map<String, Double> drain() {
    Map<String, Double> copy = new TreeMap<>(VALUES);
    VALUES.clear();
    return copy;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {}

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    if (!CAPTURED.contains(name)) {
      return;
    }
    double value;
    if (metric instanceof Counter counter) {
      value = counter.getCount();
    } else if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
      value = number.doubleValue();
    } else {
      return;
    }
    Map<String, String> variables = group.getAllVariables();
    String owner = variables.getOrDefault("<task_name>", "job");
    String operator = variables.get("<operator_name>");
    String key = (operator != null ? operator : owner) + " | " + name;
    synchronized (CapturingReporter.class) {
      if (name.startsWith("lastCheckpoint")) {
        VALUES.put(key, value);
      } else {
        VALUES.merge(key, value, Double::sum);
      }
    }
  }

  /** Flink finds the factory through the ServiceLoader file in META-INF/services. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new CapturingReporter();
    }
  }
}
