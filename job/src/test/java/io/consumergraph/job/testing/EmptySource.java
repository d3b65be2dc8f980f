package io.consumergraph.job.testing;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/** A bounded source that ends at once: an input a test leaves empty. */
public final class EmptySource<T>
    implements Source<T, EmptySource.NoSplit, Void>, ResultTypeQueryable<T> {

  private static final long serialVersionUID = 1L;

  private final TypeInformation<T> type;

  public EmptySource(TypeInformation<T> type) {
    this.type = type;
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return type;
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.BOUNDED;
  }

  @Override
  public SplitEnumerator<NoSplit, Void> createEnumerator(SplitEnumeratorContext<NoSplit> context) {
    return new SplitEnumerator<>() {
      @Override
      public void start() {}

      @Override
      public void handleSplitRequest(int subtaskId, String requesterHostname) {}

      @Override
      public void addSplitsBack(List<NoSplit> splits, int subtaskId) {}

      @Override
      public void addReader(int subtaskId) {
        context.signalNoMoreSplits(subtaskId);
      }

      @Override
      public Void snapshotState(long checkpointId) {
        return null;
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public SplitEnumerator<NoSplit, Void> restoreEnumerator(
      SplitEnumeratorContext<NoSplit> context, Void checkpoint) {
    return createEnumerator(context);
  }

  @Override
  public SimpleVersionedSerializer<NoSplit> getSplitSerializer() {
    return new NothingSerializer<>();
  }

  @Override
  public SimpleVersionedSerializer<Void> getEnumeratorCheckpointSerializer() {
    return new NothingSerializer<>();
  }

  @Override
  public SourceReader<T, NoSplit> createReader(SourceReaderContext context) {
    // Ends only once the enumerator said there are no splits: a task that finished before that
    // event arrives would lose it, which Flink answers with a failover.
    CompletableFuture<Void> noMoreSplits = new CompletableFuture<>();
    return new SourceReader<>() {
      @Override
      public void start() {}

      @Override
      public InputStatus pollNext(ReaderOutput<T> output) {
        return noMoreSplits.isDone() ? InputStatus.END_OF_INPUT : InputStatus.NOTHING_AVAILABLE;
      }

      @Override
      public List<NoSplit> snapshotState(long checkpointId) {
        return List.of();
      }

      @Override
      public CompletableFuture<Void> isAvailable() {
        return noMoreSplits;
      }

      @Override
      public void addSplits(List<NoSplit> splits) {}

      @Override
      public void notifyNoMoreSplits() {
        noMoreSplits.complete(null);
      }

      @Override
      public void close() {}
    };
  }

  /** The split type of a source that has none. */
  public static final class NoSplit implements SourceSplit {
    @Override
    public String splitId() {
      return "none";
    }
  }

  private static final class NothingSerializer<S> implements SimpleVersionedSerializer<S> {
    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(S obj) {
      return new byte[0];
    }

    @Override
    public S deserialize(int version, byte[] serialized) throws IOException {
      return null;
    }
  }
}
