package io.consumergraph.sink.neo4j;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;

/** A processing-time service whose clock only moves when the test says so; timers fire inline. */
final class ManualProcessingTimeService implements ProcessingTimeService {

  private record Timer(long atMs, ProcessingTimeCallback callback) {}

  private long nowMs;
  private final List<Timer> timers = new ArrayList<>();

  @Override
  public long getCurrentProcessingTime() {
    return nowMs;
  }

  @Override
  public ScheduledFuture<?> registerTimer(long timestamp, ProcessingTimeCallback callback) {
    timers.add(new Timer(timestamp, callback));
    return new NoopFuture();
  }

  int pendingTimers() {
    return timers.size();
  }

  /**
   * Moves the clock and fires, in time order, every timer that is due (also ones registered now).
   */
  void advance(long millis) throws Exception {
    nowMs += millis;
    while (true) {
      Timer due =
          timers.stream()
              .filter(t -> t.atMs() <= nowMs)
              .min(Comparator.comparingLong(Timer::atMs))
              .orElse(null);
      if (due == null) {
        return;
      }
      timers.remove(due);
      due.callback().onProcessingTime(nowMs);
    }
  }

  private static final class NoopFuture extends CompletableFuture<Object>
      implements ScheduledFuture<Object> {
    @Override
    public long getDelay(TimeUnit unit) {
      return 0;
    }

    @Override
    public int compareTo(Delayed other) {
      return 0;
    }
  }
}
