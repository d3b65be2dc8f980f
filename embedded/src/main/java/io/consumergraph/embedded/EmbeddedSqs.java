package io.consumergraph.embedded;

import java.net.URI;
import java.util.Map;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.CreateQueueRequest;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** An in-process SQS-compatible server (ElasticMQ) for the demo and the tests. */
public final class EmbeddedSqs implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedSqs.class);

  /** The region clients are configured with; ElasticMQ ignores it but the SDK requires one. */
  public static final Region REGION = Region.US_EAST_1;

  /** Dummy credentials: ElasticMQ does not check signatures, the SDK insists on signing. */
  public static final String ACCESS_KEY = "x";

  public static final String SECRET_KEY = "x";

  private final SQSRestServer server;
  private final URI endpoint;
  private final SqsClient client;

  private EmbeddedSqs(SQSRestServer server, URI endpoint) {
    this.server = server;
    this.endpoint = endpoint;
    this.client = newClient(endpoint);
  }

  /** Starts ElasticMQ on a free port of 127.0.0.1. */
  public static EmbeddedSqs start() {
    return start(0);
  }

  /** Starts ElasticMQ on the given port of 127.0.0.1 (0 picks a free port). */
  public static EmbeddedSqs start(int port) {
    long started = System.nanoTime();
    var builder = SQSRestServerBuilder.withInterface("127.0.0.1");
    builder = port == 0 ? builder.withDynamicPort() : builder.withPort(port);
    SQSRestServer server = builder.start();
    int boundPort = server.waitUntilStarted().localAddress().getPort();
    URI endpoint = URI.create("http://127.0.0.1:" + boundPort);
    LOG.info(
        "ElasticMQ listening on {} (started in {} ms)",
        endpoint,
        (System.nanoTime() - started) / 1_000_000);
    return new EmbeddedSqs(server, endpoint);
  }

  /** The endpoint an SQS client overrides its AWS endpoint with. */
  public URI endpoint() {
    return endpoint;
  }

  /** Creates (or returns the existing) queue and returns its URL. */
  public String createQueue(String name, Map<QueueAttributeName, String> attributes) {
    return client
        .createQueue(CreateQueueRequest.builder().queueName(name).attributes(attributes).build())
        .queueUrl();
  }

  /** A shared client bound to this server; closed with the server. */
  public SqsClient client() {
    return client;
  }

  /** A new client bound to the given endpoint, configured the way this server expects. */
  public static SqsClient newClient(URI endpoint) {
    return SqsClient.builder()
        .endpointOverride(endpoint)
        .region(REGION)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        // netty-nio is excluded from the build; the URL-connection client has no extra deps.
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  @Override
  public void close() {
    client.close();
    server.stopAndWait();
  }
}
