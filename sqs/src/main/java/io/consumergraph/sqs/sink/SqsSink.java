package io.consumergraph.sqs.sink;

import io.consumergraph.sqs.proxy.SqsProxyFactory;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Flink sink that sends each element as one SQS message, in SendMessageBatch calls of up to 10;
 * {@link SqsSinkElementConverter} says what the message is. Built with {@link #builder()}.
 *
 * <p>Every buffered message is sent when a checkpoint starts ({@code flush}), so a checkpoint only
 * completes once the messages it covers are in the queue (at least once: a restore may send one
 * again). Entries SQS refuses for a transient reason, throttling and connection failures are
 * retried with bounded backoff; a message that cannot be sent fails the job with a clear message
 * instead of being dropped.
 */
public final class SqsSink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;

  /** How the writer batches and retries. */
  record Settings(
      int maxAttempts,
      Duration initialBackoff,
      Duration maxBackoff,
      Duration maxBufferTime,
      String messageKind,
      String metricGroup)
      implements java.io.Serializable {}

  private final String queueUrl;
  private final SqsProxyFactory proxies;
  private final SqsSinkElementConverter<T> converter;
  private final Settings settings;

  SqsSink(
      String queueUrl,
      SqsProxyFactory proxies,
      SqsSinkElementConverter<T> converter,
      Settings settings) {
    this.queueUrl = Objects.requireNonNull(queueUrl, "queueUrl");
    this.proxies = Objects.requireNonNull(proxies, "proxies");
    this.converter = Objects.requireNonNull(converter, "converter");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public static <T> SqsSinkBuilder<T> builder() {
    return new SqsSinkBuilder<>();
  }

  /** The queue this sink sends to. */
  public String queueUrl() {
    return queueUrl;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) {
    return new SqsSinkWriter<>(
        queueUrl,
        proxies.create(),
        converter,
        settings,
        context.getProcessingTimeService(),
        context.metricGroup());
  }
}
