package io.consumergraph.sqs.source.proxy;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.SqsClientBuilder;

/**
 * The production client: default credential chain (IRSA / instance role), the given region, an
 * optional endpoint override.
 */
public record DefaultSqsClientFactory(String region, URI endpoint) implements SqsClientFactory {

  @Override
  public SqsClient create() {
    SqsClientBuilder builder =
        SqsClient.builder()
            .credentialsProvider(DefaultCredentialsProvider.create())
            // netty-nio is excluded from the build; URL-connection needs no extra dependencies.
            .httpClient(UrlConnectionHttpClient.create());
    if (region != null) {
      builder.region(Region.of(region));
    }
    if (endpoint != null) {
      builder.endpointOverride(endpoint);
    }
    return builder.build();
  }
}
