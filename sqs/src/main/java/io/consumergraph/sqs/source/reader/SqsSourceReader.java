package io.consumergraph.sqs.source.reader;

import io.consumergraph.sqs.proxy.ReceivedSqsMessage;
import io.consumergraph.sqs.proxy.SqsProxy;
import io.consumergraph.sqs.source.config.SqsSourceOptions;
import io.consumergraph.sqs.source.metrics.SqsSourceMetrics;
import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import io.consumergraph.sqs.source.split.SqsQueueSplit;
import io.consumergraph.sqs.source.split.SqsQueueSplitState;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.source.reader.SingleThreadMultiplexSourceReaderBase;
import org.apache.flink.connector.base.source.reader.SourceReaderOptions;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.util.UserCodeClassLoader;
import org.apache.flink.util.concurrent.ExecutorThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the assigned queues and deletes a message only after the checkpoint covering its effect has
 * completed.
 *
 * <p>Messages emitted before {@code snapshotState(n)} belong to checkpoint n; {@code
 * notifyCheckpointComplete(n)} deletes those of every checkpoint up to n. On failure nothing is
 * deleted: the messages come back after their visibility timeout (at once for messages no
 * checkpoint covers, which {@link #close()} releases) and are redelivered. Messages covered by the
 * checkpoint a restarted job restores from travel in the split state and are deleted on restore.
 * While messages are in flight, an acknowledger thread keeps extending their visibility.
 */
public final class SqsSourceReader<T>
    extends SingleThreadMultiplexSourceReaderBase<
        ReceivedSqsMessage, T, SqsQueueSplit, SqsQueueSplitState> {

  private static final Logger LOG = LoggerFactory.getLogger(SqsSourceReader.class);

  private final Parts<T> parts;
  private ScheduledFuture<?> extensionTask;

  /** The production reader: system clock, its own acknowledger thread. */
  public SqsSourceReader(
      SourceReaderContext context,
      Configuration config,
      SqsMessageDeserializer<T> deserializer,
      SqsProxy proxy) {
    this(context, config, deserializer, proxy, Clock.systemUTC(), Backoff.Sleeper.THREAD, null);
  }

  /**
   * A reader with an injected clock, sleeper and acknowledger executor (tests).
   *
   * @param acknowledgerExecutor runs deletes and visibility extensions; null creates a thread
   */
  public SqsSourceReader(
      SourceReaderContext context,
      Configuration config,
      SqsMessageDeserializer<T> deserializer,
      SqsProxy proxy,
      Clock clock,
      Backoff.Sleeper sleeper,
      ScheduledExecutorService acknowledgerExecutor) {
    this(Parts.create(context, config, deserializer, proxy, clock, sleeper, acknowledgerExecutor));
  }

  private SqsSourceReader(Parts<T> parts) {
    super(parts::newSplitReader, parts.emitter, parts.config, parts.context);
    this.parts = parts;
  }

  @Override
  public void start() {
    super.start();
    try {
      parts.deserializer.open(initializationContext());
    } catch (Exception e) {
      throw new IllegalStateException("Could not open the SQS message deserializer", e);
    }
    long interval = parts.extensionIntervalMs;
    extensionTask =
        parts.acknowledgerExecutor.scheduleWithFixedDelay(
            this::extendVisibility, interval, interval, TimeUnit.MILLISECONDS);
  }

  /** Extends the visibility of messages near their deadline; runs on the acknowledger thread. */
  void extendVisibility() {
    try {
      parts.acknowledger.extendDue(parts.extensionMarginMs);
    } catch (RuntimeException e) {
      // Never let one bad round cancel the periodic task.
      LOG.warn("Visibility extension round failed", e);
    }
  }

  @Override
  public List<SqsQueueSplit> snapshotState(long checkpointId) {
    if (parts.keepMessages) {
      // Nothing is ever covered, so nothing is deleted and close() gives everything back.
      return super.snapshotState(checkpointId);
    }
    parts.inFlight.checkpoint(checkpointId);
    return super.snapshotState(checkpointId);
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) throws Exception {
    super.notifyCheckpointComplete(checkpointId);
    Map<String, List<String>> done = parts.inFlight.takeCompleted(checkpointId);
    if (!done.isEmpty()) {
      acknowledge(() -> parts.acknowledger.delete(done, true));
    }
  }

  private void acknowledge(Runnable work) {
    try {
      parts.acknowledgerExecutor.execute(work);
    } catch (RejectedExecutionException e) {
      // Only after close(): the messages stay undeleted and come back, which at-least-once allows.
      LOG.warn("SQS acknowledger already shut down; messages will be redelivered", e);
    }
  }

  @Override
  protected SqsQueueSplitState initializedState(SqsQueueSplit split) {
    if (!split.pendingReceiptHandles().isEmpty()) {
      // Restored from a completed checkpoint that covers these messages: their effect is safe.
      Map<String, List<String>> restored = Map.of(split.queueUrl(), split.pendingReceiptHandles());
      LOG.info(
          "Deleting {} message(s) of {} covered by the restored checkpoint",
          split.pendingReceiptHandles().size(),
          split.queueUrl());
      acknowledge(() -> parts.acknowledger.delete(restored, false));
    }
    return new SqsQueueSplitState(split);
  }

  @Override
  protected SqsQueueSplit toSplitType(String splitId, SqsQueueSplitState state) {
    return state.split().withPendingReceiptHandles(parts.inFlight.coveredHandles(splitId));
  }

  @Override
  protected void onSplitFinished(Map<String, SqsQueueSplitState> finishedSplitIds) {
    // Queues never end.
  }

  /** Messages received or emitted by this reader and not deleted yet. */
  public int inFlightCount() {
    return parts.inFlight.size();
  }

  public SqsSourceMetrics metrics() {
    return parts.metrics;
  }

  @Override
  public void close() throws Exception {
    try {
      super.close();
    } finally {
      if (extensionTask != null) {
        extensionTask.cancel(false);
      }
      // No checkpoint covers these, so none that could be restored: let SQS hand them out again
      // now instead of after the visibility timeout.
      Map<String, List<String>> uncovered = parts.inFlight.takeUncovered();
      if (!uncovered.isEmpty()) {
        acknowledge(() -> parts.acknowledger.release(uncovered));
      }
      parts.acknowledgerExecutor.shutdown();
      if (!parts.acknowledgerExecutor.awaitTermination(30, TimeUnit.SECONDS)) {
        LOG.warn("SQS acknowledger did not finish within 30 s");
        parts.acknowledgerExecutor.shutdownNow();
      }
      parts.proxy.close();
    }
  }

  private DeserializationSchema.InitializationContext initializationContext() {
    return new DeserializationSchema.InitializationContext() {
      @Override
      public MetricGroup getMetricGroup() {
        return parts.context.metricGroup().addGroup("deserializer");
      }

      @Override
      public UserCodeClassLoader getUserCodeClassLoader() {
        return parts.context.getUserCodeClassLoader();
      }
    };
  }

  /**
   * One fetched batch waits between the fetcher and the task at most, unless the source's settings
   * say otherwise. Flink's default of two keeps up to 20 more messages of the bulk queue ahead of
   * an enrollment the fetcher has already put first, and under a backfill the task takes them at
   * the pace of the loads behind it: seconds (benchmarks/README.md).
   */
  static Configuration withElementQueue(Configuration config) {
    if (config.contains(SourceReaderOptions.ELEMENT_QUEUE_CAPACITY)) {
      return config;
    }
    Configuration copy = new Configuration(config);
    copy.set(SourceReaderOptions.ELEMENT_QUEUE_CAPACITY, 1);
    return copy;
  }

  /** Everything the reader and its fetcher share, built before the super constructor runs. */
  private static final class Parts<T> {
    SourceReaderContext context;
    Configuration config;
    SqsMessageDeserializer<T> deserializer;
    SqsProxy proxy;
    Clock clock;
    InFlightMessages inFlight;
    SqsSourceMetrics metrics;
    SqsMessageAcknowledger acknowledger;
    SqsRecordEmitter<T> emitter;
    ScheduledExecutorService acknowledgerExecutor;
    Backoff backoff;
    int visibilityTimeoutSeconds;
    long extensionMarginMs;
    long extensionIntervalMs;
    boolean keepMessages;

    static <T> Parts<T> create(
        SourceReaderContext context,
        Configuration config,
        SqsMessageDeserializer<T> deserializer,
        SqsProxy proxy,
        Clock clock,
        Backoff.Sleeper sleeper,
        ScheduledExecutorService acknowledgerExecutor) {
      Parts<T> p = new Parts<>();
      p.context = context;
      p.config = withElementQueue(config);
      p.deserializer = deserializer;
      p.proxy = proxy;
      p.clock = clock;
      p.inFlight = new InFlightMessages();
      String group = config.get(SqsSourceOptions.METRIC_GROUP);
      p.metrics =
          new SqsSourceMetrics(
              group.isEmpty() ? context.metricGroup() : context.metricGroup().addGroup(group),
              p.inFlight::size,
              clock);
      Duration visibility = config.get(SqsSourceOptions.VISIBILITY_TIMEOUT);
      p.visibilityTimeoutSeconds = (int) Math.max(1, visibility.toSeconds());
      p.keepMessages = config.get(SqsSourceOptions.KEEP_MESSAGES);
      long visibilityMs = p.visibilityTimeoutSeconds * 1000L;
      // Renew once half the timeout is gone; check often enough to never miss that window.
      p.extensionMarginMs = visibilityMs / 2;
      p.extensionIntervalMs = Math.max(100, Math.min(10_000, visibilityMs / 10));
      p.backoff =
          new Backoff(
              config.get(SqsSourceOptions.RETRY_INITIAL_BACKOFF),
              config.get(SqsSourceOptions.RETRY_MAX_BACKOFF),
              config.get(SqsSourceOptions.DELETE_MAX_ATTEMPTS));
      p.acknowledger =
          new SqsMessageAcknowledger(
              proxy, p.inFlight, p.metrics, clock, p.visibilityTimeoutSeconds, p.backoff, sleeper);
      p.emitter = new SqsRecordEmitter<>(deserializer, p.inFlight);
      p.acknowledgerExecutor =
          acknowledgerExecutor != null
              ? acknowledgerExecutor
              : java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                  new ExecutorThreadFactory("sqs-acknowledger-" + context.getIndexOfSubtask()));
      return p;
    }

    SqsQueueSplitReader newSplitReader() {
      return new SqsQueueSplitReader(
          proxy,
          inFlight,
          metrics,
          clock,
          config.get(SqsSourceOptions.WAIT_TIME_SECONDS),
          config.get(SqsSourceOptions.SEVERAL_QUEUES_WAIT_TIME_SECONDS),
          config.get(SqsSourceOptions.MAX_MESSAGES_PER_POLL),
          config.get(SqsSourceOptions.MAX_IN_FLIGHT),
          visibilityTimeoutSeconds,
          backoff);
    }
  }
}
