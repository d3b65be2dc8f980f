package io.consumergraph.job.kafka;

import io.consumergraph.model.LoadOutcome;
import io.consumergraph.operators.backfill.LoadOutcomeDecoder;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;

/** Writes load outcomes to the feedback topic, keyed by user so a user's outcomes stay in order. */
public final class LoadOutcomeSerializer implements KafkaRecordSerializationSchema<LoadOutcome> {

  private static final long serialVersionUID = 1L;

  private final String topic;

  public LoadOutcomeSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      LoadOutcome outcome, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(
        topic,
        outcome.userId().getBytes(StandardCharsets.UTF_8),
        LoadOutcomeDecoder.encode(outcome));
  }
}
