package io.consumergraph.job.testing;

import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.testutils.InMemoryReporter;

/** Reads an operator's metrics of a job, summed over its subtasks, from an InMemoryReporter. */
public final class OperatorMetrics {

  private final InMemoryReporter reporter;

  public OperatorMetrics(InMemoryReporter reporter) {
    this.reporter = reporter;
  }

  /** The sum of counter {@code name} (e.g. {@code gate.held}) of the operator in the job. */
  public long counter(String job, String operator, String name) {
    long sum = 0;
    for (Metric metric : find(job, operator, name)) {
      if (metric instanceof Counter c) {
        sum += c.getCount();
      }
    }
    return sum;
  }

  /** The largest value of numeric gauge {@code name} over the operator's subtasks. */
  public long gauge(String job, String operator, String name) {
    long max = 0;
    for (Metric metric : find(job, operator, name)) {
      if (metric instanceof Gauge<?> g && g.getValue() instanceof Number n) {
        max = Math.max(max, n.longValue());
      }
    }
    return max;
  }

  /**
   * The smallest value of numeric gauge {@code name} over the operator's subtasks, or 0 until all
   * {@code subtasks} have registered it: "every subtask has seen it", where {@link #gauge} says
   * "one has".
   */
  public long gaugeOnAll(String job, String operator, String name, int subtasks) {
    long min = Long.MAX_VALUE;
    int seen = 0;
    for (Metric metric : find(job, operator, name)) {
      if (metric instanceof Gauge<?> g && g.getValue() instanceof Number n) {
        min = Math.min(min, n.longValue());
        seen++;
      }
    }
    return seen < subtasks ? 0 : min;
  }

  private Iterable<Metric> find(String job, String operator, String name) {
    java.util.List<Metric> found = new java.util.ArrayList<>();
    for (Map.Entry<MetricGroup, Map<String, Metric>> group :
        reporter.getMetricsByGroup().entrySet()) {
      for (Map.Entry<String, Metric> m : group.getValue().entrySet()) {
        String id = group.getKey().getMetricIdentifier(m.getKey());
        if (id.contains("." + job + "." + operator + ".") && id.endsWith("." + name)) {
          found.add(m.getValue());
        }
      }
    }
    return found;
  }
}
