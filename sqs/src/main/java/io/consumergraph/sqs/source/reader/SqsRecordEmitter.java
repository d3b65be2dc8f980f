package io.consumergraph.sqs.source.reader;

import io.consumergraph.sqs.proxy.ReceivedSqsMessage;
import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import io.consumergraph.sqs.source.split.SqsQueueSplitState;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.connector.base.source.reader.RecordEmitter;
import org.apache.flink.util.Collector;

/**
 * Deserializes a message into the output, stamped with its SentTimestamp, and marks it emitted so
 * the next checkpoint covers it.
 */
public final class SqsRecordEmitter<T>
    implements RecordEmitter<ReceivedSqsMessage, T, SqsQueueSplitState> {

  private final SqsMessageDeserializer<T> deserializer;
  private final InFlightMessages inFlight;
  private final OutputCollector<T> collector = new OutputCollector<>();

  public SqsRecordEmitter(SqsMessageDeserializer<T> deserializer, InFlightMessages inFlight) {
    this.deserializer = deserializer;
    this.inFlight = inFlight;
  }

  @Override
  public void emitRecord(
      ReceivedSqsMessage element, SourceOutput<T> output, SqsQueueSplitState splitState)
      throws Exception {
    collector.output = output;
    collector.timestamp = element.message().sentTimestamp();
    deserializer.deserialize(element.message(), collector);
    // Also for messages that produced no record: they are done once the checkpoint completes.
    inFlight.emitted(element.receiptHandle());
    splitState.onEmitted();
  }

  private static final class OutputCollector<T> implements Collector<T> {
    private SourceOutput<T> output;
    private long timestamp;

    @Override
    public void collect(T record) {
      if (timestamp > 0) {
        output.collect(record, timestamp);
      } else {
        output.collect(record);
      }
    }

    @Override
    public void close() {}
  }
}
