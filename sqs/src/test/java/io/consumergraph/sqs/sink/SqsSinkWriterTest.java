package io.consumergraph.sqs.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.sqs.proxy.OutgoingSqsMessage;
import io.consumergraph.sqs.source.testing.FakeSqsProxy;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.runtime.metrics.groups.InternalSinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

/** The sink's writer against an in-memory proxy: batching, the buffer timer and retries. */
class SqsSinkWriterTest {

  private static final String QUEUE = "https://sqs.test/000/dlq";

  private final FakeSqsProxy proxy = new FakeSqsProxy();
  private final ManualTime time = new ManualTime();

  @Test
  void sendsFullBatchesAtOnceAndTheRestWhenTheBufferTimeIsUpOrOnFlush() throws Exception {
    SqsSinkWriter<String> writer = writer(6);
    for (int i = 0; i < 23; i++) {
      writer.write("m" + i, null);
    }
    assertThat(proxy.sentBatches).extracting(List::size).containsExactly(10, 10);
    assertThat(time.timers).as("the first buffered message armed the timer").hasSize(1);

    time.fireAll();
    assertThat(proxy.sentBatches).extracting(List::size).containsExactly(10, 10, 3);
    writer.write("late", null);
    writer.flush(false);
    assertThat(proxy.sentBatches).extracting(List::size).containsExactly(10, 10, 3, 1);
    assertThat(proxy.pending(QUEUE)).isEqualTo(24);
  }

  @Test
  void entriesRefusedForATransientReasonAreRetriedAloneUntilSent() throws Exception {
    proxy.throttleEntries = 3;
    proxy.failSends = 1; // and one connection failure on the way
    SqsSinkWriter<String> writer = writer(6);
    for (int i = 0; i < 10; i++) {
      writer.write("m" + i, null);
    }
    assertThat(proxy.pending(QUEUE)).isEqualTo(10);
    assertThat(proxy.sentBatches).extracting(List::size).containsExactly(7, 3);
  }

  @Test
  void aMessageSqsRefusesAsTheSendersFaultFailsTheWriterWithWhatItWas() throws Exception {
    proxy.refuseContaining = "HUGE";
    SqsSinkWriter<String> writer = writer(6);
    writer.write("fine", null);
    writer.write("HUGE one", null);
    assertThatThrownBy(() -> writer.flush(false))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("message 'HUGE one'")
        .hasMessageContaining(QUEUE)
        .hasMessageContaining("MessageTooLong")
        .hasMessageContaining("failing the job rather than losing it");
  }

  @Test
  void retriesAreBoundedAndAMissingQueueIsNotRetried() throws Exception {
    proxy.failSends = 100;
    SqsSinkWriter<String> bounded = writer(3);
    bounded.write("m", null);
    assertThatThrownBy(() -> bounded.flush(false))
        .hasMessageContaining("in 3 attempts")
        .hasMessageContaining("connection refused");
    assertThat(proxy.calls("send")).hasSize(3);

    proxy.failSends = 100;
    proxy.failure = QueueDoesNotExistException.builder().message("no such queue").build();
    SqsSinkWriter<String> missing = writer(3);
    missing.write("m", null);
    assertThatThrownBy(() -> missing.flush(false)).hasMessageContaining("not retryable");
    assertThat(proxy.calls("send")).hasSize(4);
  }

  private SqsSinkWriter<String> writer(int maxAttempts) {
    return new SqsSinkWriter<>(
        QUEUE,
        proxy,
        text -> new OutgoingSqsMessage(text, Map.of("kind", "test"), "message '" + text + "'"),
        new SqsSink.Settings(
            maxAttempts, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), "Message", ""),
        time,
        InternalSinkWriterMetricGroup.wrap(
            UnregisteredMetricGroups.createUnregisteredOperatorMetricGroup()));
  }

  /** Processing time that moves only when the test fires the timers. */
  private static final class ManualTime implements ProcessingTimeService {
    final List<ProcessingTimeCallback> timers = new ArrayList<>();

    @Override
    public long getCurrentProcessingTime() {
      return 0;
    }

    @Override
    public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback target) {
      timers.add(target);
      return null;
    }

    void fireAll() throws Exception {
      List<ProcessingTimeCallback> due = new ArrayList<>(timers);
      timers.clear();
      for (ProcessingTimeCallback timer : due) {
        timer.onProcessingTime(0);
      }
    }
  }
}
