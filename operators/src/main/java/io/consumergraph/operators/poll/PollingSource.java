package io.consumergraph.operators.poll;

import io.consumergraph.operators.metrics.MetricGroups;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * An unbounded FLIP-27 source that calls a {@link Poller} at a fixed interval on one subtask and
 * emits what it returns. Nothing is checkpointed: after a restore the poller starts afresh and
 * re-emits the current state, so what it emits must be idempotent to apply.
 */
public final class PollingSource<T> implements Source<T, PollingSplit, Boolean> {

  private static final long serialVersionUID = 1L;

  private final Poller<T> poller;
  private final Duration interval;
  private final int maxPolls;
  private final String metricGroup;

  /** Polls forever. */
  public PollingSource(Poller<T> poller, Duration interval) {
    this(poller, interval, 0, null);
  }

  private PollingSource(Poller<T> poller, Duration interval, int maxPolls, String metricGroup) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, got " + interval);
    }
    this.poller = poller;
    this.interval = interval;
    this.maxPolls = maxPolls;
    this.metricGroup = metricGroup;
  }

  /** The same source, its poller's metrics under the group {@code name} (see MetricGroups). */
  public PollingSource<T> withMetricGroup(String name) {
    return new PollingSource<>(poller, interval, maxPolls, name);
  }

  /** Polls {@code polls} times and ends: for bounded runs (tests, one-off replays). */
  public static <T> PollingSource<T> bounded(Poller<T> poller, Duration interval, int polls) {
    if (polls < 1) {
      throw new IllegalArgumentException("a bounded poll source needs at least one poll");
    }
    return new PollingSource<>(poller, interval, polls, null);
  }

  @Override
  public Boundedness getBoundedness() {
    return maxPolls > 0 ? Boundedness.BOUNDED : Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<T, PollingSplit> createReader(SourceReaderContext context) {
    return new PollingReader<>(
        poller, interval, maxPolls, MetricGroups.within(context.metricGroup(), metricGroup));
  }

  @Override
  public SplitEnumerator<PollingSplit, Boolean> createEnumerator(
      SplitEnumeratorContext<PollingSplit> context) {
    return new PollingEnumerator(context, false, maxPolls > 0);
  }

  @Override
  public SplitEnumerator<PollingSplit, Boolean> restoreEnumerator(
      SplitEnumeratorContext<PollingSplit> context, Boolean assigned) {
    // Splits of a failed reader come back through addSplitsBack, so "assigned" stays as it was.
    return new PollingEnumerator(context, assigned, maxPolls > 0);
  }

  @Override
  public SimpleVersionedSerializer<PollingSplit> getSplitSerializer() {
    return new SimpleVersionedSerializer<>() {
      @Override
      public int getVersion() {
        return 1;
      }

      @Override
      public byte[] serialize(PollingSplit split) {
        return new byte[0];
      }

      @Override
      public PollingSplit deserialize(int version, byte[] serialized) {
        return new PollingSplit();
      }
    };
  }

  @Override
  public SimpleVersionedSerializer<Boolean> getEnumeratorCheckpointSerializer() {
    return new SimpleVersionedSerializer<>() {
      @Override
      public int getVersion() {
        return 1;
      }

      @Override
      public byte[] serialize(Boolean assigned) {
        return new byte[] {(byte) (assigned ? 1 : 0)};
      }

      @Override
      public Boolean deserialize(int version, byte[] serialized) throws IOException {
        if (serialized.length != 1) {
          throw new IOException("bad polling enumerator state of " + serialized.length + " bytes");
        }
        return serialized[0] == 1;
      }
    };
  }

  /** Hands the single split to the first reader that asks, and again if it comes back. */
  static final class PollingEnumerator implements SplitEnumerator<PollingSplit, Boolean> {

    private final SplitEnumeratorContext<PollingSplit> context;
    private final boolean bounded;
    private boolean assigned;

    PollingEnumerator(
        SplitEnumeratorContext<PollingSplit> context, boolean assigned, boolean bounded) {
      this.context = context;
      this.assigned = assigned;
      this.bounded = bounded;
    }

    @Override
    public void start() {}

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {}

    @Override
    public void addSplitsBack(List<PollingSplit> splits, int subtaskId) {
      assigned = false;
      assignIfPossible();
    }

    @Override
    public void addReader(int subtaskId) {
      assignIfPossible();
      if (bounded) {
        // Readers without the split have nothing to do and must finish for the job to end.
        context.signalNoMoreSplits(subtaskId);
      }
    }

    private void assignIfPossible() {
      if (assigned) {
        return;
      }
      for (int reader : context.registeredReaders().keySet()) {
        context.assignSplit(new PollingSplit(), reader);
        assigned = true;
        return;
      }
    }

    @Override
    public Boolean snapshotState(long checkpointId) {
      return assigned;
    }

    @Override
    public void close() {}
  }
}
