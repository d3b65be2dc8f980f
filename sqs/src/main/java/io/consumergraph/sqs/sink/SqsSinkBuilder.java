package io.consumergraph.sqs.sink;

import io.consumergraph.sqs.proxy.AwsSqsProxy;
import io.consumergraph.sqs.proxy.DefaultSqsClientFactory;
import io.consumergraph.sqs.proxy.SqsClientFactory;
import io.consumergraph.sqs.proxy.SqsProxyFactory;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Builds an {@link SqsSink}. Defaults: the default credential chain, 6 attempts per batch with
 * backoff from 200 ms to 5 s (about 10 s in all), messages sent at the latest 1 s after they
 * arrive, 10 s per call.
 */
public final class SqsSinkBuilder<T> {

  public static final int DEFAULT_MAX_ATTEMPTS = 6;
  public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
  public static final Duration DEFAULT_MAX_BUFFER_TIME = Duration.ofSeconds(1);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  private String queueUrl;
  private String region;
  private URI endpoint;
  private String accessKeyId;
  private String secretAccessKey;
  private SqsClientFactory clientFactory;
  private SqsProxyFactory proxyFactory;
  private SqsSinkElementConverter<T> converter;
  private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
  private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
  private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
  private Duration maxBufferTime = DEFAULT_MAX_BUFFER_TIME;
  private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
  private String messageKind = "Message";
  private String metricGroup = "";

  SqsSinkBuilder() {}

  public SqsSinkBuilder<T> queueUrl(String queueUrl) {
    this.queueUrl = queueUrl;
    return this;
  }

  public SqsSinkBuilder<T> region(String region) {
    this.region = region;
    return this;
  }

  /** Another SQS endpoint (ElasticMQ, a VPC endpoint). */
  public SqsSinkBuilder<T> endpoint(URI endpoint) {
    this.endpoint = endpoint;
    return this;
  }

  /** Static credentials, for an SQS-compatible test server; default: the credential chain. */
  public SqsSinkBuilder<T> staticCredentials(String accessKeyId, String secretAccessKey) {
    this.accessKeyId = Objects.requireNonNull(accessKeyId, "accessKeyId");
    this.secretAccessKey = Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    return this;
  }

  /** The SDK client to send with, instead of one from region, endpoint and credentials. */
  public SqsSinkBuilder<T> clientFactory(SqsClientFactory clientFactory) {
    this.clientFactory = clientFactory;
    return this;
  }

  /** The proxy to send through (tests: a fake), instead of one over the SDK client. */
  public SqsSinkBuilder<T> proxyFactory(SqsProxyFactory proxyFactory) {
    this.proxyFactory = proxyFactory;
    return this;
  }

  public SqsSinkBuilder<T> elementConverter(SqsSinkElementConverter<T> converter) {
    this.converter = converter;
    return this;
  }

  /**
   * Attempts per batch, the first included, with backoff from {@code initial} up to {@code max}.
   */
  public SqsSinkBuilder<T> retries(int maxAttempts, Duration initial, Duration max) {
    this.maxAttempts = maxAttempts;
    this.initialBackoff = initial;
    this.maxBackoff = max;
    return this;
  }

  /**
   * Longest a message waits for its batch to fill before it is sent anyway; checkpoints and the end
   * of input send it earlier.
   */
  public SqsSinkBuilder<T> maxBufferTime(Duration maxBufferTime) {
    this.maxBufferTime = maxBufferTime;
    return this;
  }

  /** Timeout of one SendMessageBatch call (the SDK's own retries are off). */
  public SqsSinkBuilder<T> requestTimeout(Duration requestTimeout) {
    this.requestTimeout = requestTimeout;
    return this;
  }

  /**
   * What the messages are, in the writer's metric names: {@code sqs<Kind>sSent}, {@code
   * sqs<Kind>Batches}, {@code sqs<Kind>Retries} (default {@code Message}).
   */
  /** Puts the writer's counters under the group {@code name} (Managed Flink: KinesisAnalytics). */
  public SqsSinkBuilder<T> metricGroup(String name) {
    this.metricGroup = name == null ? "" : name;
    return this;
  }

  public SqsSinkBuilder<T> messageKind(String kind) {
    this.messageKind = kind;
    return this;
  }

  public SqsSink<T> build() {
    if (queueUrl == null || queueUrl.isBlank()) {
      throw new IllegalArgumentException("an SQS sink needs a queue URL");
    }
    Objects.requireNonNull(converter, "an SQS sink needs an element converter");
    if (messageKind == null || !messageKind.matches("[A-Z][A-Za-z]*")) {
      throw new IllegalArgumentException("messageKind must be a capitalised word: " + messageKind);
    }
    if (maxAttempts < 1
        || initialBackoff.isNegative()
        || maxBackoff.compareTo(initialBackoff) < 0
        || maxBufferTime.isNegative()
        || maxBufferTime.isZero()
        || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException(
          "invalid SQS sink settings: maxAttempts "
              + maxAttempts
              + ", backoff "
              + initialBackoff
              + " to "
              + maxBackoff
              + ", maxBufferTime "
              + maxBufferTime
              + ", requestTimeout "
              + requestTimeout);
    }
    return new SqsSink<>(
        queueUrl,
        effectiveProxyFactory(),
        converter,
        new SqsSink.Settings(
            maxAttempts, initialBackoff, maxBackoff, maxBufferTime, messageKind, metricGroup));
  }

  private SqsProxyFactory effectiveProxyFactory() {
    if (proxyFactory != null) {
      return proxyFactory;
    }
    SqsClientFactory clients = clientFactory;
    if (clients == null) {
      DefaultSqsClientFactory defaults =
          new DefaultSqsClientFactory(region, endpoint).withoutSdkRetries(requestTimeout);
      clients =
          accessKeyId == null
              ? defaults
              : defaults.withStaticCredentials(accessKeyId, secretAccessKey);
    }
    SqsClientFactory chosen = clients;
    return () -> new AwsSqsProxy(chosen.create());
  }
}
