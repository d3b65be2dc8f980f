package io.consumergraph.benchmarks;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricConfig;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.reporter.MetricReporter;
import org.apache.flink.metrics.reporter.MetricReporterFactory;

/**
 * Keeps every metric of a running job, so a benchmark can read counters and gauges while the job
 * runs (summed over the subtasks that registered a metric of that name), as the web UI shows them.
 * One job at a time.
 */
public final class LiveMetrics implements MetricReporter {

  private static final Map<String, List<Metric>> METRICS = new HashMap<>();

  /** The sum of every counter or numeric gauge named {@code name}; 0 when there is none. */
  static synchronized double sum(String name) {
    double sum = 0;
    for (Metric metric : METRICS.getOrDefault(name, List.of())) {
      sum += value(metric);
    }
    return sum;
  }

  /** Whether a metric of that name is registered. */
  static synchronized boolean has(String name) {
    return !METRICS.getOrDefault(name, List.of()).isEmpty();
  }

  private static double value(Metric metric) {
    if (metric instanceof Counter counter) {
      return counter.getCount();
    }
    if (metric instanceof Gauge<?> gauge && gauge.getValue() instanceof Number number) {
      return number.doubleValue();
    }
    return 0;
  }

  @Override
  public void open(MetricConfig config) {}

  @Override
  public void close() {}

  @Override
  public void notifyOfAddedMetric(Metric metric, String name, MetricGroup group) {
    synchronized (LiveMetrics.class) {
      METRICS.computeIfAbsent(name, n -> new ArrayList<>()).add(metric);
    }
  }

  @Override
  public void notifyOfRemovedMetric(Metric metric, String name, MetricGroup group) {
    synchronized (LiveMetrics.class) {
      List<Metric> named = METRICS.get(name);
      if (named != null) {
        named.remove(metric);
      }
    }
  }

  /** Flink finds the factory through the ServiceLoader file in META-INF/services. */
  public static final class Factory implements MetricReporterFactory {
    @Override
    public MetricReporter createMetricReporter(Properties properties) {
      return new LiveMetrics();
    }
  }
}
