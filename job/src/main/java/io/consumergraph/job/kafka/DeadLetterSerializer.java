package io.consumergraph.job.kafka;

import io.consumergraph.model.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Writes a dead letter as the original bytes with the reason and source coordinates in {@code
 * dlq.*} headers, so a record can be inspected and re-driven to its topic unchanged.
 */
public final class DeadLetterSerializer implements KafkaRecordSerializationSchema<DeadLetter> {

  private static final long serialVersionUID = 1L;

  public static final String REASON = "dlq.reason";
  public static final String DETAIL = "dlq.detail";
  public static final String SOURCE = "dlq.source";
  public static final String PARTITION = "dlq.partition";
  public static final String OFFSET = "dlq.offset";
  public static final String FAILED_AT = "dlq.failed-at-ms";

  private final String topic;

  public DeadLetterSerializer(String topic) {
    this.topic = topic;
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(
      DeadLetter letter, KafkaSinkContext context, Long timestamp) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(REASON, utf8(letter.reason()));
    headers.add(DETAIL, utf8(letter.detail()));
    headers.add(SOURCE, utf8(letter.source()));
    headers.add(PARTITION, utf8(Integer.toString(letter.partition())));
    headers.add(OFFSET, utf8(Long.toString(letter.offset())));
    headers.add(FAILED_AT, utf8(Long.toString(letter.failedAtMs())));
    byte[] key = utf8(letter.source() + "/" + letter.partition() + "/" + letter.offset());
    return new ProducerRecord<>(topic, null, null, key, letter.payload(), headers);
  }

  private static byte[] utf8(String s) {
    return (s == null ? "" : s).getBytes(StandardCharsets.UTF_8);
  }
}
