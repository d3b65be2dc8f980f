package io.consumergraph.sqs.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.sqs.source.metrics.SqsSourceMetrics;
import io.consumergraph.sqs.source.testing.FakeSqsProxy;
import io.consumergraph.sqs.source.testing.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

class SqsMessageAcknowledgerTest {

  private static final String Q = "http://sqs/q";

  private final FakeSqsProxy proxy = new FakeSqsProxy();
  private final InFlightMessages inFlight = new InFlightMessages();
  private final ManualClock clock = new ManualClock(0);
  private final SqsSourceMetrics metrics =
      new SqsSourceMetrics(new UnregisteredMetricsGroup(), inFlight::size, clock);
  private final List<Long> sleeps = new ArrayList<>();
  private final SqsMessageAcknowledger acknowledger =
      new SqsMessageAcknowledger(
          proxy,
          inFlight,
          metrics,
          clock,
          10,
          new Backoff(Duration.ofMillis(100), Duration.ofMillis(300), 4),
          sleeps::add);

  @Test
  void extendsVisibilityOnlyOnceHalfTheTimeoutIsGone() {
    inFlight.received("s", Q, "h1", 10_000); // received at 0 with a 10 s timeout
    clock.advance(4_999);
    assertThat(acknowledger.extendDue(5_000)).isZero();
    assertThat(proxy.calls("visibility")).isEmpty();

    clock.advance(1); // t = 5000: 5 s left
    assertThat(acknowledger.extendDue(5_000)).isEqualTo(1);
    assertThat(proxy.calls("visibility"))
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.handles()).containsExactly("h1");
              assertThat(c.visibility()).isEqualTo(10);
            });
    assertThat(inFlight.visibleUntil("h1")).isEqualTo(15_000);

    clock.advance(4_000); // t = 9000: 6 s left, nothing to do
    assertThat(acknowledger.extendDue(5_000)).isZero();
    clock.advance(1_000); // t = 10000: the original deadline; extended again
    assertThat(acknowledger.extendDue(5_000)).isEqualTo(1);
    assertThat(inFlight.visibleUntil("h1")).isEqualTo(20_000);
    assertThat(metrics.visibilityExtended()).isEqualTo(2);
  }

  @Test
  void deletesInBatchesOfAtMostTen() {
    List<String> handles = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      handles.add("h" + i);
    }
    assertThat(acknowledger.delete(Map.of(Q, handles), true)).isEqualTo(25);
    assertThat(proxy.calls("delete"))
        .extracting(c -> c.handles().size())
        .containsExactly(10, 10, 5);
    assertThat(metrics.deleted()).isEqualTo(25);
  }

  @Test
  void retriesATransientDeleteFailureWithGrowingBoundedBackoff() {
    proxy.failDeletes = 3;
    assertThat(acknowledger.delete(Map.of(Q, List.of("h1")), true)).isEqualTo(1);
    assertThat(proxy.deleted).containsExactly("h1");
    assertThat(sleeps).containsExactly(100L, 200L, 300L);
    assertThat(metrics.deleteFailures()).isZero();
  }

  @Test
  void aDeleteThatKeepsFailingIsCountedNotThrown() {
    proxy.failDeletes = 100;
    assertThat(acknowledger.delete(Map.of(Q, List.of("h1", "h2")), true)).isZero();
    assertThat(proxy.calls("delete")).hasSize(4); // max attempts
    assertThat(metrics.deleteFailures()).isEqualTo(2);
  }

  @Test
  void aNonRetryableDeleteFailureIsNotRetried() {
    proxy.failure = QueueDoesNotExistException.builder().message("gone").build();
    proxy.failDeletes = 100;
    assertThat(acknowledger.delete(Map.of(Q, List.of("h1")), true)).isZero();
    assertThat(proxy.calls("delete")).hasSize(1);
    assertThat(metrics.deleteFailures()).isEqualTo(1);
  }
}
