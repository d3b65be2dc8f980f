package io.consumergraph.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class EmbeddedS3IT {

  private static EmbeddedS3 s3;

  @BeforeAll
  static void startServer() {
    s3 = EmbeddedS3.start();
  }

  @AfterAll
  static void stopServer() {
    if (s3 != null) {
      s3.close();
    }
  }

  @Test
  void putObjectIsReadBackWithTheSameEtagThroughGetAndHead() {
    s3.createBucket("it-roundtrip");
    byte[] content = "user_id\nu1\nu2\n".getBytes(StandardCharsets.UTF_8);
    String etag = s3.putObject("it-roundtrip", "segments/beta.csv", content);

    ResponseBytes<GetObjectResponse> got =
        s3.client().getObjectAsBytes(b -> b.bucket("it-roundtrip").key("segments/beta.csv"));
    HeadObjectResponse head =
        s3.client().headObject(b -> b.bucket("it-roundtrip").key("segments/beta.csv"));

    assertThat(got.asByteArray()).isEqualTo(content);
    assertThat(etag).isNotBlank();
    assertThat(got.response().eTag()).isEqualTo(etag);
    assertThat(head.eTag()).isEqualTo(etag);
    assertThat(head.contentLength()).isEqualTo(content.length);
    assertThat(head.lastModified()).isNotNull();
  }

  @Test
  void overwritingAnObjectChangesItsEtag() {
    s3.createBucket("it-overwrite");
    String first = s3.putObject("it-overwrite", "k", "a".getBytes(StandardCharsets.UTF_8));
    String second = s3.putObject("it-overwrite", "k", "b".getBytes(StandardCharsets.UTF_8));
    assertThat(second).isNotEqualTo(first);
  }

  @Test
  void missingKeyIsNoSuchKey() {
    s3.createBucket("it-missing");
    assertThatThrownBy(
            () -> s3.client().getObjectAsBytes(b -> b.bucket("it-missing").key("absent")))
        .isInstanceOf(NoSuchKeyException.class);
  }

  @Test
  void wrongCredentialsAreRejected() {
    try (var stranger =
        software.amazon.awssdk.services.s3.S3Client.builder()
            .endpointOverride(s3.endpoint())
            .region(EmbeddedS3.REGION)
            .forcePathStyle(true)
            .credentialsProvider(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                    software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(
                        "nobody", "wrong")))
            .httpClient(software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create())
            .build()) {
      s3.createBucket("it-auth");
      assertThatThrownBy(() -> stranger.listObjectsV2(b -> b.bucket("it-auth")))
          .isInstanceOf(S3Exception.class);
    }
  }
}
