package io.consumergraph.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.DeadLetter;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

class DeadLetterSerializerTest {

  @Test
  void keepsTheOriginalBytesAndPutsReasonAndCoordinatesInHeaders() {
    byte[] payload = {1, 2, 3};
    DeadLetter letter =
        new DeadLetter("undecodable", "bad wire type", "receipts", 2, 41L, payload, 7L);

    ProducerRecord<byte[], byte[]> record =
        new DeadLetterSerializer("dlq").serialize(letter, null, null);

    assertThat(record.topic()).isEqualTo("dlq");
    assertThat(record.value()).isEqualTo(payload);
    assertThat(header(record, DeadLetterSerializer.REASON)).isEqualTo("undecodable");
    assertThat(header(record, DeadLetterSerializer.DETAIL)).isEqualTo("bad wire type");
    assertThat(header(record, DeadLetterSerializer.SOURCE)).isEqualTo("receipts");
    assertThat(header(record, DeadLetterSerializer.PARTITION)).isEqualTo("2");
    assertThat(header(record, DeadLetterSerializer.OFFSET)).isEqualTo("41");
  }

  private static String header(ProducerRecord<byte[], byte[]> record, String name) {
    return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }
}
