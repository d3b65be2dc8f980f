package io.consumergraph.tools.backfill;

import java.net.URI;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Builds the SQS and S3 clients of the tools: the SDK's default credentials and region unless an
 * endpoint (ElasticMQ, S3Proxy, LocalStack) or a region is given. Retries are the sender's, so the
 * SDK does not retry on its own.
 */
public final class AwsClients {

  private static final Logger LOG = LoggerFactory.getLogger(AwsClients.class);
  private static final Pattern SQS_HOST = Pattern.compile("sqs[.-]([a-z0-9-]+)\\.amazonaws\\.com");
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

  private AwsClients() {}

  /**
   * @param endpoint an endpoint override, or null for AWS
   * @param region a region, or null: the one in an AWS queue URL, else the SDK's default chain
   * @param queueUrl the queue the client will send to (only read for its region), or null
   */
  public static SqsClient sqs(URI endpoint, String region, String queueUrl) {
    var builder =
        SqsClient.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(overrides())
            .region(region(endpoint, region, queueUrl))
            .credentialsProvider(credentials(endpoint));
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }

  public static S3Client s3(URI endpoint, String region) {
    var builder =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .overrideConfiguration(overrides())
            .region(region(endpoint, region, null))
            .credentialsProvider(credentials(endpoint))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    if (endpoint != null) {
      builder.endpointOverride(endpoint).forcePathStyle(true);
    }
    return builder.build();
  }

  private static ClientOverrideConfiguration overrides() {
    return ClientOverrideConfiguration.builder()
        .retryStrategy(AwsRetryStrategy.doNotRetry())
        .apiCallTimeout(CALL_TIMEOUT)
        .apiCallAttemptTimeout(ATTEMPT_TIMEOUT)
        .build();
  }

  static Region region(URI endpoint, String region, String queueUrl) {
    if (region != null && !region.isBlank()) {
      return Region.of(region);
    }
    if (queueUrl != null) {
      Matcher m =
          SQS_HOST.matcher(
              URI.create(queueUrl).getHost() == null ? "" : URI.create(queueUrl).getHost());
      if (m.matches()) {
        return Region.of(m.group(1));
      }
    }
    try {
      return new DefaultAwsRegionProviderChain().getRegion();
    } catch (SdkClientException e) {
      if (endpoint != null) {
        return Region.US_EAST_1; // a local endpoint ignores the region, the SDK needs one
      }
      throw new IllegalArgumentException(
          "no AWS region: pass --region or set AWS_REGION (" + e.getMessage() + ")", e);
    }
  }

  private static AwsCredentialsProvider credentials(URI endpoint) {
    DefaultCredentialsProvider chain = DefaultCredentialsProvider.builder().build();
    if (endpoint == null) {
      return chain;
    }
    try {
      chain.resolveCredentials();
      return chain;
    } catch (SdkClientException e) {
      // A local server (ElasticMQ, S3Proxy without auth) does not check signatures.
      LOG.info("No AWS credentials found; signing requests to {} with dummy credentials", endpoint);
      return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
    }
  }
}
