package io.consumergraph.sqs.source;

import static io.consumergraph.sqs.source.config.SqsSourceOptions.MAX_IN_FLIGHT;
import static io.consumergraph.sqs.source.config.SqsSourceOptions.MAX_MESSAGES_PER_POLL;
import static io.consumergraph.sqs.source.config.SqsSourceOptions.METRIC_GROUP;
import static io.consumergraph.sqs.source.config.SqsSourceOptions.SEVERAL_QUEUES_WAIT_TIME_SECONDS;
import static io.consumergraph.sqs.source.config.SqsSourceOptions.VISIBILITY_TIMEOUT;
import static io.consumergraph.sqs.source.config.SqsSourceOptions.WAIT_TIME_SECONDS;

import io.consumergraph.sqs.proxy.AwsSqsProxy;
import io.consumergraph.sqs.proxy.DefaultSqsClientFactory;
import io.consumergraph.sqs.proxy.SqsClientFactory;
import io.consumergraph.sqs.proxy.SqsProxyFactory;
import io.consumergraph.sqs.source.config.SqsQueueSpec;
import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;

/** Builds an {@link SqsSource}; the only public way to configure one. */
public final class SqsSourceBuilder<T> {

  /** Priority of the enrollment queue: drained before anything else. */
  public static final int PRIORITY_HIGH = 10;

  /** Priority of the bulk backfill queue. */
  public static final int PRIORITY_LOW = 0;

  private final List<SqsQueueSpec> queues = new ArrayList<>();
  private final Configuration config = new Configuration();
  private SqsMessageDeserializer<T> deserializer;
  private SqsProxyFactory proxyFactory;
  private SqsClientFactory clientFactory;
  private String region;
  private URI endpoint;

  SqsSourceBuilder() {}

  /** Adds a queue; a higher priority is polled first and a lower one only when it is empty. */
  public SqsSourceBuilder<T> queue(String queueUrl, int priority) {
    queues.add(new SqsQueueSpec(queueUrl, priority));
    return this;
  }

  public SqsSourceBuilder<T> deserializer(SqsMessageDeserializer<T> deserializer) {
    this.deserializer = deserializer;
    return this;
  }

  /** AWS region of the default client (default credential chain). */
  public SqsSourceBuilder<T> region(String region) {
    this.region = region;
    return this;
  }

  /** Endpoint override of the default client (VPC endpoint, ElasticMQ). */
  public SqsSourceBuilder<T> endpoint(URI endpoint) {
    this.endpoint = endpoint;
    return this;
  }

  /** A custom SDK client (credentials, HTTP settings); replaces region/endpoint. */
  public SqsSourceBuilder<T> clientFactory(SqsClientFactory clientFactory) {
    this.clientFactory = clientFactory;
    return this;
  }

  /** A custom proxy, e.g. a fake in tests; replaces every client setting. */
  public SqsSourceBuilder<T> proxyFactory(SqsProxyFactory proxyFactory) {
    this.proxyFactory = proxyFactory;
    return this;
  }

  public SqsSourceBuilder<T> waitTimeSeconds(int seconds) {
    return set(WAIT_TIME_SECONDS, seconds);
  }

  /** The idle long-poll of a reader with several queues; see the option's description. */
  public SqsSourceBuilder<T> severalQueuesWaitTimeSeconds(int seconds) {
    return set(SEVERAL_QUEUES_WAIT_TIME_SECONDS, seconds);
  }

  public SqsSourceBuilder<T> maxMessagesPerPoll(int messages) {
    return set(MAX_MESSAGES_PER_POLL, messages);
  }

  public SqsSourceBuilder<T> visibilityTimeout(Duration timeout) {
    return set(VISIBILITY_TIMEOUT, timeout);
  }

  /** Puts the reader's metrics under the group {@code name} (Managed Flink: KinesisAnalytics). */
  public SqsSourceBuilder<T> metricGroup(String name) {
    return set(METRIC_GROUP, name == null ? "" : name);
  }

  public SqsSourceBuilder<T> maxInFlight(int messages) {
    return set(MAX_IN_FLIGHT, messages);
  }

  /** Dry runs: emit but never delete; everything held is given back when the reader closes. */
  public SqsSourceBuilder<T> keepMessages(boolean keep) {
    return set(io.consumergraph.sqs.source.config.SqsSourceOptions.KEEP_MESSAGES, keep);
  }

  /** Sets any option of {@link io.consumergraph.sqs.source.config.SqsSourceOptions}. */
  public <V> SqsSourceBuilder<T> set(ConfigOption<V> option, V value) {
    config.set(option, value);
    return this;
  }

  public SqsSource<T> build() {
    if (queues.isEmpty()) {
      throw new IllegalStateException("at least one queue is required");
    }
    Set<String> urls = new HashSet<>();
    for (SqsQueueSpec q : queues) {
      if (!urls.add(q.queueUrl())) {
        throw new IllegalStateException("queue added twice: " + q.queueUrl());
      }
    }
    Objects.requireNonNull(deserializer, "deserializer is required");
    check(config.get(WAIT_TIME_SECONDS), 0, 20, WAIT_TIME_SECONDS);
    check(config.get(SEVERAL_QUEUES_WAIT_TIME_SECONDS), 0, 20, SEVERAL_QUEUES_WAIT_TIME_SECONDS);
    check(config.get(MAX_MESSAGES_PER_POLL), 1, 10, MAX_MESSAGES_PER_POLL);
    check(config.get(MAX_IN_FLIGHT), 1, Integer.MAX_VALUE, MAX_IN_FLIGHT);
    Duration visibility = config.get(VISIBILITY_TIMEOUT);
    if (visibility.toSeconds() < 1 || visibility.toSeconds() > 12 * 3600) {
      throw new IllegalArgumentException(
          VISIBILITY_TIMEOUT.key() + " must be between 1 s and 12 h, got " + visibility);
    }
    return new SqsSource<>(queues, deserializer, effectiveProxyFactory(), config);
  }

  private SqsProxyFactory effectiveProxyFactory() {
    if (proxyFactory != null) {
      return proxyFactory;
    }
    SqsClientFactory clients =
        clientFactory != null ? clientFactory : new DefaultSqsClientFactory(region, endpoint);
    return () -> new AwsSqsProxy(clients.create());
  }

  private static void check(int value, int min, int max, ConfigOption<Integer> option) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          option.key() + " must be between " + min + " and " + max + ", got " + value);
    }
  }
}
