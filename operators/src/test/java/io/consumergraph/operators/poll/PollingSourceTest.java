package io.consumergraph.operators.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PollingSourceTest {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static final List<Integer> EMITTED = new CopyOnWriteArrayList<>();
  static final AtomicInteger POLLS = new AtomicInteger();

  /** Returns one record per poll for the first three polls, then nothing, then fails once. */
  static final class CountingPoller implements Poller<Integer> {
    @Override
    public List<Integer> poll() {
      int n = POLLS.incrementAndGet();
      if (n == 4) {
        throw new IllegalStateException("upstream down");
      }
      return n <= 3 ? List.of(n) : List.of();
    }
  }

  @Test
  void pollsOnOneSubtaskAndEmitsWhatEachPollReturnsSurvivingAFailedPoll() throws Exception {
    EMITTED.clear();
    POLLS.set(0);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.fromSource(
            new PollingSource<>(new CountingPoller(), Duration.ofMillis(20)),
            WatermarkStrategy.noWatermarks(),
            "poll",
            Types.INT)
        .map(
            i -> {
              EMITTED.add(i);
              return i;
            })
        .sinkTo(new DiscardingSink<>());

    JobClient job = env.executeAsync();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      // Polls run on the reader's scheduler thread, emission later on the task thread: wait for
      // both, or a starved task thread could still hold record 3 when the cancel lands.
      while ((POLLS.get() < 6 || EMITTED.size() < 3) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
    } finally {
      job.cancel().get();
    }

    assertThat(POLLS.get()).as("polling goes on after a failed poll").isGreaterThanOrEqualTo(6);
    assertThat(EMITTED).containsExactly(1, 2, 3);
  }

  @Test
  void aBoundedSourceEndsAfterItsPollsSoTheJobFinishes() throws Exception {
    EMITTED.clear();
    POLLS.set(0);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.fromSource(
            PollingSource.bounded(new CountingPoller(), Duration.ofMillis(10), 2),
            WatermarkStrategy.noWatermarks(),
            "poll",
            Types.INT)
        .map(
            i -> {
              EMITTED.add(i);
              return i;
            })
        .sinkTo(new DiscardingSink<>());

    env.execute();

    assertThat(POLLS.get()).isEqualTo(2);
    assertThat(EMITTED).containsExactly(1, 2);
  }

  @Test
  void rejectsANonPositiveInterval() {
    assertThatThrownBy(() -> new PollingSource<>(new CountingPoller(), Duration.ZERO))
        .hasMessageContaining("poll interval must be positive");
  }
}
