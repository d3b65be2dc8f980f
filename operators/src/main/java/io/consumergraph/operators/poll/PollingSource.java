package io.consumergraph.operators.poll;

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

  public PollingSource(Poller<T> poller, Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, got " + interval);
    }
    this.poller = poller;
    this.interval = interval;
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<T, PollingSplit> createReader(SourceReaderContext context) {
    return new PollingReader<>(poller, interval);
  }

  @Override
  public SplitEnumerator<PollingSplit, Boolean> createEnumerator(
      SplitEnumeratorContext<PollingSplit> context) {
    return new PollingEnumerator(context, false);
  }

  @Override
  public SplitEnumerator<PollingSplit, Boolean> restoreEnumerator(
      SplitEnumeratorContext<PollingSplit> context, Boolean assigned) {
    // Splits of a failed reader come back through addSplitsBack, so "assigned" stays as it was.
    return new PollingEnumerator(context, assigned);
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
    private boolean assigned;

    PollingEnumerator(SplitEnumeratorContext<PollingSplit> context, boolean assigned) {
      this.context = context;
      this.assigned = assigned;
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
