package io.consumergraph.job.sqs;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * Where and how {@link SqsDeadLetterSink} sends dead letters; serializable so the writer builds its
 * SQS client on the task manager.
 *
 * <p>Credentials come from the AWS default chain (IRSA, instance role, environment) unless static
 * ones are given, which is meant for an SQS-compatible test server (ElasticMQ) only: the values
 * come from configuration, never from code, and {@link #toString()} hides the secret.
 *
 * @param queueUrl the dead-letter queue
 * @param region the AWS region of the queue
 * @param endpointOverride another SQS endpoint (ElasticMQ, a VPC endpoint), or null
 * @param accessKeyId static access key id, or null for the default credential chain
 * @param secretAccessKey static secret key, or null for the default credential chain
 * @param maxAttempts attempts per batch (first send included) before the job fails
 * @param initialBackoff wait before the first retry; doubles up to {@code maxBackoff}
 * @param maxBackoff longest wait between two attempts
 * @param maxBufferTime longest a dead letter waits for its batch to fill before it is sent anyway;
 *     checkpoints and the end of input send it earlier
 * @param requestTimeout timeout of one SendMessageBatch call
 */
public record SqsDeadLetterSettings(
    String queueUrl,
    String region,
    URI endpointOverride,
    String accessKeyId,
    String secretAccessKey,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration maxBufferTime,
    Duration requestTimeout)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  public SqsDeadLetterSettings {
    Objects.requireNonNull(queueUrl, "queueUrl");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    Objects.requireNonNull(maxBufferTime, "maxBufferTime");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    if (queueUrl.isBlank() || region.isBlank()) {
      throw new IllegalArgumentException("queueUrl and region must not be blank");
    }
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("give both static credentials or neither");
    }
    if (maxAttempts < 1
        || initialBackoff.isNegative()
        || maxBackoff.compareTo(initialBackoff) < 0
        || maxBufferTime.isNegative()
        || maxBufferTime.isZero()
        || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException("invalid SQS dead-letter settings: " + this);
    }
  }

  /**
   * The queue with production defaults: default credential chain, 6 attempts per batch with backoff
   * from 200 ms to 5 s (about 10 s in all), letters sent at the latest 1 s after they arrive, 10 s
   * per call.
   */
  public static SqsDeadLetterSettings forQueue(String queueUrl, String region) {
    return new SqsDeadLetterSettings(
        queueUrl,
        region,
        null,
        null,
        null,
        6,
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        Duration.ofSeconds(1),
        Duration.ofSeconds(10));
  }

  /** The same settings against another endpoint with static credentials (ElasticMQ). */
  public SqsDeadLetterSettings withEndpoint(
      URI endpoint, String accessKeyId, String secretAccessKey) {
    return new SqsDeadLetterSettings(
        queueUrl,
        region,
        Objects.requireNonNull(endpoint, "endpoint"),
        Objects.requireNonNull(accessKeyId, "accessKeyId"),
        Objects.requireNonNull(secretAccessKey, "secretAccessKey"),
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxBufferTime,
        requestTimeout);
  }

  /** The same settings with another retry budget per batch. */
  public SqsDeadLetterSettings withRetries(int maxAttempts, Duration initial, Duration max) {
    return new SqsDeadLetterSettings(
        queueUrl,
        region,
        endpointOverride,
        accessKeyId,
        secretAccessKey,
        maxAttempts,
        initial,
        max,
        maxBufferTime,
        requestTimeout);
  }

  /** The same settings with another longest wait of a letter for its batch. */
  public SqsDeadLetterSettings withMaxBufferTime(Duration maxBufferTime) {
    return new SqsDeadLetterSettings(
        queueUrl,
        region,
        endpointOverride,
        accessKeyId,
        secretAccessKey,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        maxBufferTime,
        requestTimeout);
  }

  /**
   * A client for these settings. The SDK's own retries are off: the writer retries with its own
   * bounded budget, and two nested retry loops would multiply the time a failing batch blocks.
   */
  SqsClient createClient() {
    AwsCredentialsProvider credentials =
        accessKeyId == null
            ? DefaultCredentialsProvider.create()
            : StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKeyId, secretAccessKey));
    SqsClientBuilder builder =
        SqsClient.builder()
            .region(Region.of(region))
            .credentialsProvider(credentials)
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(
                o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(requestTimeout));
    if (endpointOverride != null) {
      builder.endpointOverride(endpointOverride);
    }
    return builder.build();
  }

  @Override
  public String toString() {
    return "SqsDeadLetterSettings[queueUrl="
        + queueUrl
        + ", region="
        + region
        + ", endpointOverride="
        + endpointOverride
        + ", credentials="
        + (accessKeyId == null ? "default chain" : "static (" + accessKeyId + ", secret hidden)")
        + ", maxAttempts="
        + maxAttempts
        + ", initialBackoff="
        + initialBackoff
        + ", maxBackoff="
        + maxBackoff
        + ", maxBufferTime="
        + maxBufferTime
        + ", requestTimeout="
        + requestTimeout
        + "]";
  }
}
