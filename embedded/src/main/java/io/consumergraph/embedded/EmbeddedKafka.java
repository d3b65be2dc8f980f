package io.consumergraph.embedded;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.common.utils.Utils;

/**
 * A real Kafka broker in KRaft mode, running in this JVM (one combined broker + controller), for
 * the demo and the integration tests.
 *
 * <p>Readers use {@code isolation.level=read_committed}: {@link #readAll} and {@link #endOffsets}
 * show what a downstream consumer would see, so records of an open or aborted transaction (Flink's
 * exactly-once sink) never satisfy an assertion.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);

  private final KafkaClusterTestKit cluster;
  private final File baseDirectory;
  private final Admin admin;
  // Clients handed out are closed with the broker so a forgotten close() cannot hang a test JVM.
  private final List<AutoCloseable> clients = new CopyOnWriteArrayList<>();
  private boolean closed;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
    this.baseDirectory = new File(cluster.nodes().baseDirectory());
    Properties adminProps = new Properties();
    adminProps.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    this.admin = Admin.create(adminProps);
  }

  /** Formats and starts a one-node KRaft cluster; returns once the broker accepts clients. */
  public static EmbeddedKafka start() {
    // TestKitNodes puts every log and metadata dir under one fresh temp dir; close() deletes it.
    TestKitNodes nodes =
        new TestKitNodes.Builder()
            .setCombined(true)
            .setNumBrokerNodes(1)
            .setNumControllerNodes(1)
            .build();
    KafkaClusterTestKit cluster = null;
    try {
      cluster =
          new KafkaClusterTestKit.Builder(nodes)
              // A single broker cannot host the default three replicas of the internal topics.
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("offsets.topic.num.partitions", "1")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("transaction.state.log.num.partitions", "1")
              // Consumers in tests join alone; the default 3 s wait only slows them down.
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      return new EmbeddedKafka(cluster);
    } catch (Exception e) {
      if (cluster != null) {
        closeQuietly(cluster);
      }
      deleteQuietly(new File(nodes.baseDirectory()));
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("embedded Kafka did not start", e);
    }
  }

  /** The {@code host:port} list to give producers, consumers and Flink's Kafka connectors. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /**
   * Creates a topic with replication factor 1 and waits until every partition has a leader, so a
   * producer that starts right after does not race the metadata propagation.
   */
  public void createTopic(String name, int partitions) {
    try {
      admin
          .createTopics(List.of(new NewTopic(name, partitions, (short) 1)))
          .all()
          .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      awaitLeaders(name, partitions);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("could not create topic " + name, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating topic " + name, e);
    }
  }

  /**
   * A new byte-array producer ({@code acks=all}, idempotent); the caller may close it, otherwise
   * {@link #close()} does.
   */
  public KafkaProducer<byte[], byte[]> producer() {
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props);
    clients.add(producer);
    return producer;
  }

  /**
   * Reads every committed record of {@code topic} from the beginning up to the end offsets seen at
   * call time, in partition order then offset order. Records produced after the call are not waited
   * for. Fails if the end is not reached within {@code timeout}.
   */
  public List<ConsumerRecord<byte[], byte[]>> readAll(String topic, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer()) {
      List<TopicPartition> partitions = partitionsOf(consumer, topic, timeout);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      Map<TopicPartition, List<ConsumerRecord<byte[], byte[]>>> byPartition = new HashMap<>();
      while (!reachedEnd(consumer, end)) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              String.format(
                  Locale.ROOT,
                  "timed out after %s reading %s: end offsets %s, positions %s",
                  timeout,
                  topic,
                  end,
                  positions(consumer, partitions)));
        }
        for (ConsumerRecord<byte[], byte[]> record :
            consumer.poll(Duration.ofMillis(Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))))) {
          TopicPartition tp = new TopicPartition(record.topic(), record.partition());
          // The snapshot is the contract: drop whatever arrived after it.
          if (record.offset() < end.get(tp)) {
            byPartition.computeIfAbsent(tp, k -> new ArrayList<>()).add(record);
          }
        }
      }
      List<ConsumerRecord<byte[], byte[]>> all = new ArrayList<>();
      partitions.stream()
          .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
          .forEach(tp -> all.addAll(byPartition.getOrDefault(tp, List.of())));
      return all;
    }
  }

  /** The committed end offset (last stable offset) of each partition of {@code topic}. */
  public Map<TopicPartition, Long> endOffsets(String topic) {
    try (KafkaConsumer<byte[], byte[]> consumer = newConsumer()) {
      return Map.copyOf(
          consumer.endOffsets(partitionsOf(consumer, topic, ADMIN_TIMEOUT), ADMIN_TIMEOUT));
    }
  }

  /** The temp dir holding the broker's and controller's data; visible for tests. */
  File dataDirectory() {
    return baseDirectory;
  }

  /** Closes clients handed out, stops the broker and controller, and deletes their data. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (AutoCloseable client : clients) {
      closeQuietly(client);
    }
    closeQuietly(admin);
    try {
      cluster.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("embedded Kafka did not stop cleanly", e);
    } finally {
      // The test kit deletes it too, but not when a server fails to stop.
      deleteQuietly(baseDirectory);
    }
  }

  private KafkaConsumer<byte[], byte[]> newConsumer() {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // A read of a misspelt topic must fail, not create the topic.
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    return new KafkaConsumer<>(props);
  }

  private static List<TopicPartition> partitionsOf(
      KafkaConsumer<?, ?> consumer, String topic, Duration timeout) {
    List<PartitionInfo> infos = consumer.partitionsFor(topic, timeout);
    if (infos == null || infos.isEmpty()) {
      throw new UnknownTopicOrPartitionException("no such topic: " + topic);
    }
    List<TopicPartition> partitions = new ArrayList<>();
    for (PartitionInfo info : infos) {
      partitions.add(new TopicPartition(info.topic(), info.partition()));
    }
    return partitions;
  }

  private static boolean reachedEnd(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      // position() may sit past the snapshot when more was committed meanwhile: that is the end.
      if (consumer.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }

  private static Map<TopicPartition, Long> positions(
      KafkaConsumer<?, ?> consumer, Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> positions = new HashMap<>();
    for (TopicPartition tp : partitions) {
      positions.put(tp, consumer.position(tp));
    }
    return positions;
  }

  private void awaitLeaders(String topic, int partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    long deadline = System.nanoTime() + ADMIN_TIMEOUT.toNanos();
    while (true) {
      try {
        TopicDescription description =
            admin
                .describeTopics(List.of(topic))
                .topicNameValues()
                .get(topic)
                .get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (description.partitions().size() == partitions
            && description.partitions().stream().allMatch(EmbeddedKafka::hasLeader)) {
          awaitServed(topic, partitions);
          return;
        }
      } catch (ExecutionException e) {
        // The broker's metadata cache may not know the topic yet: retry until the deadline.
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
          throw e;
        }
      }
      if (System.nanoTime() > deadline) {
        throw new TimeoutException("partitions of " + topic + " have no leader yet");
      }
      Thread.sleep(20);
    }
  }

  /**
   * Waits until the leader answers for every partition. The metadata names a leader a moment before
   * the broker serves the partition, and a producer whose first batch then fails with
   * NOT_LEADER_OR_FOLLOWER while its next ones succeed can be left retrying that batch out of
   * sequence forever (seen with an idempotent producer on a topic just created). The admin client
   * retries a list-offsets request until the leader answers it.
   */
  private void awaitServed(String topic, int partitions)
      throws InterruptedException, ExecutionException, TimeoutException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    admin.listOffsets(latest).all().get(ADMIN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static boolean hasLeader(TopicPartitionInfo partition) {
    return partition.leader() != null && !partition.leader().isEmpty();
  }

  private static void closeQuietly(AutoCloseable closeable) {
    try {
      closeable.close();
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      // Shutting down: a client that fails to close must not keep the broker running.
    }
  }

  private static void deleteQuietly(File dir) {
    try {
      Utils.delete(dir);
    } catch (IOException | UncheckedIOException e) {
      // Best effort: the directory is under the temp dir and named after this run.
    }
  }
}
