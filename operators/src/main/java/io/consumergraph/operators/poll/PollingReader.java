package io.consumergraph.operators.poll;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Polls on its own scheduler thread and hands the results to the task thread. */
final class PollingReader<T> implements SourceReader<T, PollingSplit> {

  private static final Logger LOG = LoggerFactory.getLogger(PollingReader.class);

  private final Poller<T> poller;
  private final MetricGroup metrics;
  private final Duration interval;
  private final int maxPolls;
  private final ArrayDeque<T> pending = new ArrayDeque<>();
  private int polls;
  private boolean noMoreSplits;
  private final List<PollingSplit> splits = new ArrayList<>();
  private CompletableFuture<Void> available = new CompletableFuture<>();
  private ScheduledExecutorService scheduler;

  PollingReader(Poller<T> poller, Duration interval, int maxPolls, MetricGroup metrics) {
    this.poller = poller;
    this.metrics = metrics;
    this.interval = interval;
    this.maxPolls = maxPolls;
  }

  @Override
  public void start() {}

  @Override
  public synchronized InputStatus pollNext(ReaderOutput<T> output) {
    T next = pending.poll();
    if (next == null) {
      return finished() ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
    }
    output.collect(next);
    return pending.isEmpty() ? InputStatus.NOTHING_AVAILABLE : InputStatus.MORE_AVAILABLE;
  }

  @Override
  public synchronized CompletableFuture<Void> isAvailable() {
    if (!pending.isEmpty() || finished()) {
      return CompletableFuture.completedFuture(null);
    }
    if (available.isDone()) {
      available = new CompletableFuture<>();
    }
    return available;
  }

  @Override
  public synchronized void addSplits(List<PollingSplit> newSplits) {
    splits.addAll(newSplits);
    if (scheduler == null && !splits.isEmpty()) {
      try {
        poller.open(metrics);
      } catch (Exception e) {
        throw new IllegalStateException("poller failed to open", e);
      }
      scheduler =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "poller-" + poller.getClass().getSimpleName());
                t.setDaemon(true);
                return t;
              });
      scheduler.scheduleWithFixedDelay(
          this::pollOnce, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Bounded mode: every poll done and emitted, or no split will ever come. */
  private boolean finished() {
    return maxPolls > 0 && ((splits.isEmpty() && noMoreSplits) || polls >= maxPolls);
  }

  private void pollOnce() {
    synchronized (this) {
      if (maxPolls > 0 && polls >= maxPolls) {
        return;
      }
    }
    List<T> records;
    try {
      records = poller.poll();
    } catch (Exception e) {
      // A failed poll keeps what was emitted before; the poller logs the reason in detail.
      LOG.warn("poll failed, keeping the last state: {}", e.toString());
      records = List.of();
    }
    CompletableFuture<Void> toComplete;
    synchronized (this) {
      polls++;
      pending.addAll(records);
      toComplete = available;
    }
    toComplete.complete(null);
  }

  @Override
  public synchronized void notifyNoMoreSplits() {
    noMoreSplits = true;
    available.complete(null);
  }

  @Override
  public synchronized List<PollingSplit> snapshotState(long checkpointId) {
    return new ArrayList<>(splits);
  }

  @Override
  public void close() throws Exception {
    if (scheduler != null) {
      scheduler.shutdownNow();
      scheduler.awaitTermination(5, TimeUnit.SECONDS);
    }
    poller.close();
  }
}
