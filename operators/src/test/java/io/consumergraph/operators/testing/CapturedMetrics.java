package io.consumergraph.operators.testing;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * A metric group that remembers what is registered on it and its subgroups, by dotted name ({@code
 * gate.held}; a key-value group as {@code key=value}, e.g. {@code upstream=fps.requests}), so a
 * test can read counters, gauges and histograms without a reporter.
 */
public final class CapturedMetrics extends UnregisteredMetricsGroup {

  private final String prefix;
  private final Map<String, Object> metrics;

  public CapturedMetrics() {
    this("", new TreeMap<>());
  }

  private CapturedMetrics(String prefix, Map<String, Object> metrics) {
    this.prefix = prefix;
    this.metrics = metrics;
  }

  @Override
  public Counter counter(String name) {
    return counter(name, new SimpleCounter());
  }

  @Override
  public <C extends Counter> C counter(String name, C counter) {
    metrics.put(prefix + name, counter);
    return counter;
  }

  @Override
  public <T, G extends Gauge<T>> G gauge(String name, G gauge) {
    metrics.put(prefix + name, gauge);
    return gauge;
  }

  @Override
  public <H extends Histogram> H histogram(String name, H histogram) {
    metrics.put(prefix + name, histogram);
    return histogram;
  }

  @Override
  public MetricGroup addGroup(String name) {
    return new CapturedMetrics(prefix + name + ".", metrics);
  }

  @Override
  public MetricGroup addGroup(String key, String value) {
    return new CapturedMetrics(prefix + key + "=" + value + ".", metrics);
  }

  /** Every registered name, sorted. */
  public Set<String> names() {
    return metrics.keySet();
  }

  public long count(String name) {
    Object metric = metrics.get(name);
    if (!(metric instanceof Counter counter)) {
      throw new AssertionError("no counter " + name + " among " + names());
    }
    return counter.getCount();
  }

  public Histogram histogram(String name) {
    Object metric = metrics.get(name);
    if (!(metric instanceof Histogram histogram)) {
      throw new AssertionError("no histogram " + name + " among " + names());
    }
    return histogram;
  }

  public Object value(String name) {
    Object metric = metrics.get(name);
    if (!(metric instanceof Gauge<?> gauge)) {
      throw new AssertionError("no gauge " + name + " among " + names());
    }
    return gauge.getValue();
  }
}
