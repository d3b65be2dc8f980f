package io.consumergraph.embedded;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaIT {

  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
  }

  @AfterAll
  static void stopBroker() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void producedRecordsAreReadBackInOffsetOrderPerPartition() throws Exception {
    kafka.createTopic("receipts", 3);
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (int i = 0; i < 30; i++) {
        producer.send(new ProducerRecord<>("receipts", i % 3, bytes("user-" + i), bytes("r" + i)));
      }
      producer.flush();
    }

    List<ConsumerRecord<byte[], byte[]>> records =
        kafka.readAll("receipts", Duration.ofSeconds(30));

    assertThat(records).hasSize(30);
    assertThat(records).extracting(r -> new String(r.value(), UTF_8)).startsWith("r0", "r3", "r6");
    assertThat(records).extracting(r -> new String(r.key(), UTF_8)).contains("user-0", "user-29");
    assertThat(kafka.endOffsets("receipts"))
        .containsOnly(
            Map.entry(new TopicPartition("receipts", 0), 10L),
            Map.entry(new TopicPartition("receipts", 1), 10L),
            Map.entry(new TopicPartition("receipts", 2), 10L));
  }

  @Test
  void readAllStopsAtTheEndOffsetsSeenWhenCalled() {
    kafka.createTopic("snapshot", 1);
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      producer.send(new ProducerRecord<>("snapshot", bytes("first")));
      producer.flush();
    }

    assertThat(kafka.readAll("snapshot", Duration.ofSeconds(30))).hasSize(1);
    assertThat(kafka.readAll("snapshot", Duration.ofSeconds(30))).hasSize(1);
  }

  @Test
  void anEmptyTopicReadsAsNoRecords() {
    kafka.createTopic("empty", 2);

    assertThat(kafka.readAll("empty", Duration.ofSeconds(10))).isEmpty();
    assertThat(kafka.endOffsets("empty")).containsValues(0L, 0L).hasSize(2);
  }

  @Test
  void recordsOfAnAbortedTransactionAreNotRead() {
    kafka.createTopic("transactional", 1);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "embedded-kafka-it");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("transactional", bytes("aborted")));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>("transactional", bytes("committed")));
      producer.commitTransaction();
    }

    assertThat(kafka.readAll("transactional", Duration.ofSeconds(30)))
        .extracting(r -> new String(r.value(), UTF_8))
        .containsExactly("committed");
  }

  @Test
  void readingAMissingTopicFailsInsteadOfCreatingIt() {
    assertThatThrownBy(() -> kafka.readAll("no-such-topic", Duration.ofSeconds(2)))
        .hasMessageContaining("no-such-topic");
  }

  @Test
  void closeStopsTheBrokerAndDeletesItsData() {
    EmbeddedKafka second = EmbeddedKafka.start();
    second.createTopic("t", 1);
    File dataDir = second.dataDirectory();
    assertThat(dataDir).exists();

    second.close();
    second.close();

    assertThat(dataDir).doesNotExist();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(UTF_8);
  }
}
