package io.consumergraph.flags;

import java.io.IOException;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** S3 objects, versioned by ETag: a GetObject with If-None-Match answers 304 when unchanged. */
final class S3Fetcher implements ContentFetcher {

  private static final String ETAG = "etag:";

  private final S3Client client;
  private final boolean ownsClient;

  S3Fetcher(S3Client client, boolean ownsClient) {
    this.client = client;
    this.ownsClient = ownsClient;
  }

  @Override
  public Optional<VersionedStream> openIfChanged(DocumentLocation location, ContentVersion known)
      throws IOException {
    GetObjectRequest.Builder request =
        GetObjectRequest.builder().bucket(location.bucket()).key(location.key());
    if (known != null && known.value().startsWith(ETAG)) {
      request.ifNoneMatch(known.value().substring(ETAG.length()));
    }
    try {
      ResponseInputStream<GetObjectResponse> object = client.getObject(request.build());
      return Optional.of(
          new VersionedStream(ContentVersion.etag(object.response().eTag()), object));
    } catch (NoSuchKeyException e) {
      throw new IOException(location + ": no such key", e);
    } catch (NoSuchBucketException e) {
      throw new IOException(location + ": no such bucket", e);
    } catch (S3Exception e) {
      if (e.statusCode() == 304) {
        return Optional.empty();
      }
      throw new IOException(
          location
              + ": S3 answered HTTP "
              + e.statusCode()
              + " "
              + (e.awsErrorDetails() == null
                  ? e.getMessage()
                  : e.awsErrorDetails().errorCode() + " " + e.awsErrorDetails().errorMessage()),
          e);
    } catch (SdkException e) {
      throw new IOException(location + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
