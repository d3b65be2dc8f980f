package io.consumergraph.job.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.sink.neo4j.RejectedUpdates;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Puts the graph updates Neo4j rejects for good on the dead-letter topic, beside the records that
 * could not be decoded: reason {@value #REASON}, Neo4j's error as the detail, source {@value
 * #SOURCE}, and the update as JSON. A rejected update is not a record of any input topic, so it
 * cannot be re-driven as it is: the user id in the detail tells which user to backfill once the
 * cause is fixed.
 *
 * <p>Sends are acknowledged by all in-sync replicas before {@link Writer#flush} returns, which the
 * graph writer calls before a checkpoint completes: a letter is never lost with its batch.
 */
public final class RejectedUpdateDeadLetters implements RejectedUpdates {

  private static final long serialVersionUID = 1L;

  public static final String REASON = "rejected-by-neo4j";
  public static final String SOURCE = "neo4j-graph-sink";

  private static final long SEND_TIMEOUT_SECONDS = 120;

  private final String bootstrapServers;
  private final String topic;

  public RejectedUpdateDeadLetters(String bootstrapServers, String topic) {
    this.bootstrapServers = bootstrapServers;
    this.topic = topic;
  }

  @Override
  public Writer open() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "consumer-graph-rejected-updates");
    // A rejected update carries a whole FullLoad at worst.
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Integer.toString(16 * 1024 * 1024));
    return new KafkaWriter(
        new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()),
        new DeadLetterSerializer(topic));
  }

  /** The letter of one rejected update: what the dead-letter topic holds. */
  static DeadLetter letter(ObjectMapper json, GraphUpdate update, String error, long nowMs)
      throws IOException {
    String detail = "user " + RejectedUpdates.shortId(update.userId()) + ": " + error;
    return new DeadLetter(REASON, detail, SOURCE, -1, -1, json.writeValueAsBytes(update), nowMs);
  }

  private static final class KafkaWriter implements Writer {

    private final KafkaProducer<byte[], byte[]> producer;
    private final DeadLetterSerializer serializer;
    private final ObjectMapper json = new ObjectMapper();
    private final List<Future<RecordMetadata>> unacknowledged = new ArrayList<>();

    KafkaWriter(KafkaProducer<byte[], byte[]> producer, DeadLetterSerializer serializer) {
      this.producer = producer;
      this.serializer = serializer;
    }

    @Override
    public void rejected(GraphUpdate update, String error) throws IOException {
      DeadLetter letter = letter(json, update, error, System.currentTimeMillis());
      Future<RecordMetadata> sent = producer.send(serializer.serialize(letter, null, null));
      synchronized (unacknowledged) {
        unacknowledged.add(sent);
      }
    }

    @Override
    public void flush() throws IOException {
      List<Future<RecordMetadata>> pending;
      synchronized (unacknowledged) {
        if (unacknowledged.isEmpty()) {
          return;
        }
        pending = new ArrayList<>(unacknowledged);
        unacknowledged.clear();
      }
      producer.flush();
      for (Future<RecordMetadata> sent : pending) {
        try {
          sent.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
          throw new IOException("A rejected update could not be dead-lettered", e);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("Interrupted while dead-lettering rejected updates", e);
        }
      }
    }

    @Override
    public void close() {
      producer.close();
    }
  }
}
