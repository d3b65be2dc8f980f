package io.consumergraph.operators.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.operators.testing.CapturedMetrics;
import io.consumergraph.upstream.UpstreamService;
import java.util.EnumSet;
import org.apache.flink.metrics.Histogram;
import org.junit.jupiter.api.Test;

class UpstreamMetricsTest {

  private final CapturedMetrics registered = new CapturedMetrics();
  private final UpstreamMetrics metrics =
      new UpstreamMetrics(registered, EnumSet.of(UpstreamService.FPS, UpstreamService.CATEGORY));

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
    Histogram fps = registered.histogram("upstream=fps.latencyMs");
    assertThat(fps.getCount()).isEqualTo(3);
    assertThat(fps.getStatistics().getMax()).isEqualTo(2_000);
    assertThat(fps.getStatistics().getMin()).isEqualTo(12);
  }

  @Test
  void exchangesOfServicesItWasNotGivenAreIgnored() {
    metrics.exchanged(UpstreamService.BTS, 1_000_000, 500);

    assertThat(registered.names()).noneMatch(name -> name.contains("bts"));
    assertThat(count("upstream=fps.requests")).isZero();
  }

  private long count(String name) {
    return registered.count(name);
  }
}
