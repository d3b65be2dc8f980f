package io.consumergraph.job.sqs;

import io.consumergraph.model.SourceRecord;
import io.consumergraph.sqs.source.serialization.SqsMessage;
import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.Collector;

/**
 * Keeps an SQS message as a raw record (queue URL as its source, message id as its key), so that
 * validation happens in an operator and a bad body becomes a dead letter, never a source failure.
 */
public final class SqsSourceRecordDeserializer implements SqsMessageDeserializer<SourceRecord> {

  private static final long serialVersionUID = 1L;

  @Override
  public void deserialize(SqsMessage message, Collector<SourceRecord> out) {
    String body = message.body() == null ? "" : message.body();
    out.collect(
        new SourceRecord(
            message.queueUrl(),
            -1,
            -1,
            message.sentTimestamp(),
            message.messageId().getBytes(StandardCharsets.UTF_8),
            body.getBytes(StandardCharsets.UTF_8)));
  }

  @Override
  public TypeInformation<SourceRecord> getProducedType() {
    return TypeInformation.of(SourceRecord.class);
  }
}
