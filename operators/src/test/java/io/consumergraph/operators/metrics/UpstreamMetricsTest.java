package io.consumergraph.operators.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.upstream.UpstreamService;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.SimpleCounter;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

class UpstreamMetricsTest {

  /** Keeps what is registered, by {@code key=value.} path and name. */
  private static final class CapturingGroup extends UnregisteredMetricsGroup {
    private final Map<String, Metric> metrics;
    private final String prefix;

    CapturingGroup(Map<String, Metric> metrics, String prefix) {
      this.metrics = metrics;
      this.prefix = prefix;
    }

    @Override
    public MetricGroup addGroup(String key, String value) {
      return new CapturingGroup(metrics, prefix + key + "=" + value + ".");
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
    public <H extends Histogram> H histogram(String name, H histogram) {
      metrics.put(prefix + name, histogram);
      return histogram;
    }
  }

  private final Map<String, Metric> registered = new HashMap<>();
  private final UpstreamMetrics metrics =
      new UpstreamMetrics(
          new CapturingGroup(registered, ""),
          EnumSet.of(UpstreamService.FPS, UpstreamService.CATEGORY));

  @Test
  void eachServiceCountsItsExchangesAndErrorsAndKeepsItsLatencies() {
    metrics.exchanged(UpstreamService.FPS, 12_000_000, 200);
    metrics.exchanged(UpstreamService.FPS, 40_000_000, 503);
    metrics.exchanged(UpstreamService.FPS, 2_000_000_000, -1);
    metrics.exchanged(UpstreamService.CATEGORY, 3_000_000, 404);

    assertThat(count("upstream=fps.requests")).isEqualTo(3);
    assertThat(count("upstream=fps.errors")).as("a 503 and no answer").isEqualTo(2);
    assertThat(count("upstream=category.requests")).isEqualTo(1);
    assertThat(count("upstream=category.errors")).as("404 is an answer").isZero();
    Histogram fps = (Histogram) registered.get("upstream=fps.latencyMs");
    assertThat(fps.getCount()).isEqualTo(3);
    assertThat(fps.getStatistics().getMax()).isEqualTo(2_000);
    assertThat(fps.getStatistics().getMin()).isEqualTo(12);
  }

  @Test
  void exchangesOfServicesItWasNotGivenAreIgnored() {
    metrics.exchanged(UpstreamService.BTS, 1_000_000, 500);

    assertThat(registered.keySet()).noneMatch(name -> name.contains("bts"));
    assertThat(count("upstream=fps.requests")).isZero();
  }

  private long count(String name) {
    return ((Counter) registered.get(name)).getCount();
  }
}
