package io.consumergraph.flags;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * How to reach S3. Production: everything null/false, so the region and credentials come from the
 * SDK's default chains (environment, profile, container/instance role). Tests and the embedded
 * stack set an endpoint override, path-style access and static credentials.
 *
 * @param region AWS region, or null for the SDK's default region chain
 * @param endpointOverride S3-compatible endpoint, or null for AWS
 * @param pathStyleAccess {@code http://host/bucket/key} instead of {@code http://bucket.host/key}
 * @param accessKeyId static credentials, or null for the default credentials chain
 * @param secretAccessKey static credentials, or null for the default credentials chain
 * @param apiCallTimeout upper bound of one S3 call (the headers of a GetObject)
 */
public record S3Settings(
    String region,
    URI endpointOverride,
    boolean pathStyleAccess,
    String accessKeyId,
    String secretAccessKey,
    Duration apiCallTimeout)
    implements Serializable {

  public S3Settings {
    Objects.requireNonNull(apiCallTimeout, "apiCallTimeout");
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("set both accessKeyId and secretAccessKey, or neither");
    }
  }

  /** AWS with the default region and credentials chains and a 30 s call timeout. */
  public static S3Settings defaults() {
    return new S3Settings(null, null, false, null, null, Duration.ofSeconds(30));
  }

  /** An S3-compatible server at {@code endpoint} (path-style, static credentials). */
  public static S3Settings endpoint(
      URI endpoint, String region, String accessKeyId, String secretAccessKey) {
    return new S3Settings(
        region, endpoint, true, accessKeyId, secretAccessKey, Duration.ofSeconds(30));
  }

  /** Builds a client; the caller closes it. */
  public S3Client newClient() {
    S3ClientBuilder builder =
        S3Client.builder()
            .forcePathStyle(pathStyleAccess)
            // The SDK's default "checksum mode" header is refused by S3-compatible servers such as
            // S3Proxy (HTTP 501); the ETag already versions the content and TLS protects transit.
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .credentialsProvider(credentials())
            // netty-nio is excluded from the build; the URL-connection client has no extra deps.
            .httpClient(UrlConnectionHttpClient.builder().socketTimeout(apiCallTimeout).build())
            .overrideConfiguration(c -> c.apiCallAttemptTimeout(apiCallTimeout));
    if (region != null) {
      builder.region(Region.of(region));
    }
    if (endpointOverride != null) {
      builder.endpointOverride(endpointOverride);
    }
    return builder.build();
  }

  private AwsCredentialsProvider credentials() {
    return accessKeyId == null
        ? DefaultCredentialsProvider.builder().build()
        : StaticCredentialsProvider.create(
            AwsBasicCredentials.create(accessKeyId, secretAccessKey));
  }
}
