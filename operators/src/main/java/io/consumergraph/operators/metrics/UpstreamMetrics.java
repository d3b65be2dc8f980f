package io.consumergraph.operators.metrics;

import io.consumergraph.upstream.ExchangeListener;
import io.consumergraph.upstream.UpstreamService;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * Per upstream service, under the operator's group {@code upstream=<service>}: {@code latencyMs}
 * (histogram of the last {@value #WINDOW} exchanges: Prometheus gets its quantiles), {@code
 * requests} and {@code errors} (no answer, or a status other than 2xx and 404). Exchanges of other
 * services are ignored.
 */
public final class UpstreamMetrics implements ExchangeListener {

  /** Exchanges each latency histogram keeps. */
  static final int WINDOW = 1024;

  private record ServiceMetrics(Histogram latencyMs, Counter requests, Counter errors) {}

  private final Map<UpstreamService, ServiceMetrics> services =
      new EnumMap<>(UpstreamService.class);

  public UpstreamMetrics(MetricGroup operator, Set<UpstreamService> of) {
    for (UpstreamService service : of) {
      MetricGroup group = operator.addGroup("upstream", service.name().toLowerCase(Locale.ROOT));
      services.put(
          service,
          new ServiceMetrics(
              group.histogram("latencyMs", new DescriptiveStatisticsHistogram(WINDOW)),
              group.counter("requests"),
              group.counter("errors")));
    }
  }

  @Override
  public void exchanged(UpstreamService service, long nanos, int status) {
    ServiceMetrics metrics = services.get(service);
    if (metrics == null) {
      return;
    }
    // Exchanges end on several I/O threads at once.
    synchronized (metrics) {
      metrics.latencyMs().update(nanos / 1_000_000);
    }
    metrics.requests().inc();
    if (status != 404 && (status < 200 || status > 299)) {
      metrics.errors().inc();
    }
  }
}
