package io.consumergraph.sqs.proxy;

import java.net.URI;
import java.time.Duration;
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
 * The production client: the default credential chain (IRSA / instance role, environment), the
 * given region, an optional endpoint override.
 *
 * <p>Static credentials are meant for an SQS-compatible test server (ElasticMQ) only: the values
 * come from configuration, never from code, and {@link #toString()} hides the secret.
 *
 * @param region the AWS region, or null for the SDK's default region chain
 * @param endpoint another SQS endpoint (ElasticMQ, a VPC endpoint), or null
 * @param accessKeyId static access key id, or null for the default credential chain
 * @param secretAccessKey static secret key, or null for the default credential chain
 * @param apiCallTimeout timeout of one call, SDK retries off; or null for the SDK's retries and no
 *     timeout. A caller with its own bounded retries sets it, so two nested retry loops do not
 *     multiply the time a failing call blocks.
 */
public record DefaultSqsClientFactory(
    String region,
    URI endpoint,
    String accessKeyId,
    String secretAccessKey,
    Duration apiCallTimeout)
    implements SqsClientFactory {

  private static final long serialVersionUID = 1L;

  public DefaultSqsClientFactory {
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("give both static credentials or neither");
    }
    if (apiCallTimeout != null && (apiCallTimeout.isNegative() || apiCallTimeout.isZero())) {
      throw new IllegalArgumentException("apiCallTimeout must be positive, got " + apiCallTimeout);
    }
  }

  /** Default credential chain, the SDK's own retries. */
  public DefaultSqsClientFactory(String region, URI endpoint) {
    this(region, endpoint, null, null, null);
  }

  /** The same client with static credentials. */
  public DefaultSqsClientFactory withStaticCredentials(String accessKeyId, String secretAccessKey) {
    return new DefaultSqsClientFactory(
        region, endpoint, accessKeyId, secretAccessKey, apiCallTimeout);
  }

  /** The same client without the SDK's retries, each call bounded by {@code timeout}. */
  public DefaultSqsClientFactory withoutSdkRetries(Duration timeout) {
    return new DefaultSqsClientFactory(region, endpoint, accessKeyId, secretAccessKey, timeout);
  }

  @Override
  public SqsClient create() {
    AwsCredentialsProvider credentials =
        accessKeyId == null
            ? DefaultCredentialsProvider.create()
            : StaticCredentialsProvider.create(
                AwsBasicCredentials.create(accessKeyId, secretAccessKey));
    SqsClientBuilder builder =
        SqsClient.builder()
            .credentialsProvider(credentials)
            // netty-nio is excluded from the build; URL-connection needs no extra dependencies.
            .httpClient(UrlConnectionHttpClient.create());
    if (apiCallTimeout != null) {
      builder.overrideConfiguration(
          o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()).apiCallTimeout(apiCallTimeout));
    }
    if (region != null) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  @Override
  public String toString() {
    return "DefaultSqsClientFactory[region="
        + region
        + ", endpoint="
        + endpoint
        + ", credentials="
        + (accessKeyId == null ? "default chain" : "static (" + accessKeyId + ", secret hidden)")
        + ", apiCallTimeout="
        + apiCallTimeout
        + "]";
  }
}
