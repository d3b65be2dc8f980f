package io.consumergraph.embedded;

import java.net.URI;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import org.jclouds.logging.slf4j.config.SLF4JLoggingModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * An in-process S3-compatible server (S3Proxy over jclouds' in-memory "transient" blob store) for
 * the demo and the tests.
 */
public final class EmbeddedS3 implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedS3.class);

  /** The region clients are configured with; S3Proxy accepts any region in the V4 signature. */
  public static final Region REGION = Region.US_EAST_1;

  /** The credentials S3Proxy checks V4 signatures against. */
  public static final String ACCESS_KEY = "embedded-access-key";

  public static final String SECRET_KEY = "embedded-secret-key";

  private final S3Proxy proxy;
  private final BlobStoreContext blobStoreContext;
  private final URI endpoint;
  private final S3Client client;

  private EmbeddedS3(S3Proxy proxy, BlobStoreContext blobStoreContext, URI endpoint) {
    this.proxy = proxy;
    this.blobStoreContext = blobStoreContext;
    this.endpoint = endpoint;
    this.client = newClient(endpoint);
  }

  /** Starts S3Proxy on a free port of 127.0.0.1. */
  public static EmbeddedS3 start() {
    return start(0);
  }

  /** Starts S3Proxy on the given port of 127.0.0.1 (0 picks a free port). */
  public static EmbeddedS3 start(int port) {
    long started = System.nanoTime();
    BlobStoreContext context =
        ContextBuilder.newBuilder("transient")
            .credentials("identity", "credential")
            .modules(List.of(new SLF4JLoggingModule()))
            .overrides(new Properties())
            .build(BlobStoreContext.class);
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(context.getBlobStore())
            .endpoint(URI.create("http://127.0.0.1:" + port))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .build();
    try {
      proxy.start();
      // start() returns before Jetty has bound its connector; getPort() is -1 until then.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!"STARTED".equals(proxy.getState())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("S3Proxy did not start within 10 s: " + proxy.getState());
        }
        Thread.sleep(5);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      stopQuietly(proxy, context);
      throw new IllegalStateException("interrupted while starting S3Proxy", e);
    } catch (Exception e) {
      stopQuietly(proxy, context);
      throw new IllegalStateException("S3Proxy failed to start", e);
    }
    URI endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    LOG.info(
        "S3Proxy listening on {} (started in {} ms)",
        endpoint,
        (System.nanoTime() - started) / 1_000_000);
    return new EmbeddedS3(proxy, context, endpoint);
  }

  /** The endpoint an S3 client overrides its AWS endpoint with (path-style addressing). */
  public URI endpoint() {
    return endpoint;
  }

  /** Creates a bucket; creating an existing bucket is a no-op. */
  public void createBucket(String bucket) {
    blobStoreContext.getBlobStore().createContainerInLocation(null, bucket);
  }

  /** Stores an object through the S3 API and returns its ETag (quoted, as S3 returns it). */
  public String putObject(String bucket, String key, byte[] content) {
    PutObjectResponse response =
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    return response.eTag();
  }

  /** A shared client bound to this server; closed with the server. */
  public S3Client client() {
    return client;
  }

  /** A new client bound to the given endpoint, configured the way this server expects. */
  public static S3Client newClient(URI endpoint) {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(REGION)
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        // S3Proxy predates the SDK's default CRC32 trailers; only send checksums when required.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        // netty-nio is excluded from the build; the URL-connection client has no extra deps.
        .httpClient(UrlConnectionHttpClient.create())
        .build();
  }

  @Override
  public void close() {
    client.close();
    stopQuietly(proxy, blobStoreContext);
  }

  private static void stopQuietly(S3Proxy proxy, BlobStoreContext context) {
    try {
      proxy.stop();
    } catch (Exception e) {
      LOG.warn("S3Proxy did not stop cleanly", e);
    }
    context.close();
  }
}
