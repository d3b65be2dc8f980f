package io.consumergraph.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.consumergraph.embedded.EmbeddedS3;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loads documents and id lists over real HTTP (JDK server on 127.0.0.1) and S3 (S3Proxy). */
class FlagDocumentFetcherIT {

  private static EmbeddedS3 s3;
  private static HttpServer http;
  private static final Map<String, String> BODIES = new ConcurrentHashMap<>();
  private static final Map<String, String> ETAGS = new ConcurrentHashMap<>();
  private static final AtomicInteger FULL_RESPONSES = new AtomicInteger();
  private static FlagDocumentFetcher fetcher;

  @BeforeAll
  static void start() throws IOException {
    long started = System.nanoTime();
    s3 = EmbeddedS3.start();
    System.out.printf("EmbeddedS3 started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext("/", FlagDocumentFetcherIT::serve);
    http.start();
    fetcher =
        FlagDocumentFetcher.create(
            new FlagDocumentFetcher.Settings(
                Duration.ofSeconds(5),
                S3Settings.endpoint(
                    s3.endpoint(), "us-east-1", EmbeddedS3.ACCESS_KEY, EmbeddedS3.SECRET_KEY)));
  }

  @AfterAll
  static void stop() {
    if (fetcher != null) {
      fetcher.close();
    }
    if (http != null) {
      http.stop(0);
    }
    if (s3 != null) {
      s3.close();
    }
  }

  /**
   * Serves BODIES; answers If-None-Match with 304 when the path has an ETag; /slow never answers.
   */
  private static void serve(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    if (path.equals("/slow")) {
      try {
        Thread.sleep(1_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    String body = BODIES.get(path);
    if (body == null) {
      byte[] missing = "no such flag file".getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(404, missing.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(missing);
      }
      return;
    }
    String etag = ETAGS.get(path);
    if (etag != null) {
      exchange.getResponseHeaders().add("ETag", etag);
      if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
        exchange.sendResponseHeaders(304, -1);
        exchange.close();
        return;
      }
    }
    FULL_RESPONSES.incrementAndGet();
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static DocumentLocation httpLocation(String path) {
    return DocumentLocation.parse("http://127.0.0.1:" + http.getAddress().getPort() + path);
  }

  @Test
  void httpDocumentWithEtagIsRevalidatedWith304() throws Exception {
    BODIES.put("/flags.json", "{\"flags\": {\"f\": {\"enabled\": true}}}");
    ETAGS.put("/flags.json", "\"v1\"");
    VersionedContent first =
        fetcher.readIfChanged(httpLocation("/flags.json"), null, 1 << 20).orElseThrow();
    assertThat(first.version().value()).isEqualTo("etag:\"v1\"");
    int before = FULL_RESPONSES.get();

    assertThat(fetcher.readIfChanged(httpLocation("/flags.json"), first.version(), 1 << 20))
        .isEmpty();
    assertThat(FULL_RESPONSES.get()).isEqualTo(before);

    ETAGS.put("/flags.json", "\"v2\"");
    assertThat(fetcher.readIfChanged(httpLocation("/flags.json"), first.version(), 1 << 20))
        .get()
        .extracting(c -> c.version().value())
        .isEqualTo("etag:\"v2\"");
  }

  @Test
  void httpWithoutValidatorsIsVersionedByContentHash() throws Exception {
    BODIES.put("/plain.csv", "user_id\nh1\nh2\n");
    IdListLoader loader = new IdListLoader(fetcher);
    List<String> ids = new ArrayList<>();
    IdListStats stats =
        loader.streamIfChanged(httpLocation("/plain.csv"), null, ids::add).orElseThrow();
    assertThat(ids).containsExactly("h1", "h2");
    assertThat(stats.version().value()).startsWith("sha256:");
    assertThat(loader.streamIfChanged(httpLocation("/plain.csv"), stats.version(), ids::add))
        .isEmpty();
  }

  @Test
  void httpErrorsAndTimeoutsNameTheLocation() {
    assertThatThrownBy(() -> fetcher.readIfChanged(httpLocation("/absent"), null, 1 << 20))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/absent: HTTP 404 (no such flag file)");
    try (FlagDocumentFetcher impatient =
        FlagDocumentFetcher.create(
            new FlagDocumentFetcher.Settings(Duration.ofMillis(200), S3Settings.defaults()))) {
      BODIES.put("/slow", "x");
      assertThatThrownBy(() -> impatient.readIfChanged(httpLocation("/slow"), null, 1 << 20))
          .isInstanceOf(IOException.class)
          .hasMessageContaining("/slow")
          // The connect timeout is the same 200 ms: a starved client may time out connecting,
          // which is an HttpConnectTimeoutException (a subclass), just as valid here.
          .hasMessageContaining("TimeoutException")
          .hasCauseInstanceOf(HttpTimeoutException.class);
    }
  }

  @Test
  void s3DocumentIsReadAndRevalidatedByEtag() throws Exception {
    s3.createBucket("flipper");
    String etag =
        s3.putObject(
            "flipper",
            "flags.yaml",
            "flags: {f: {enabled: true}}".getBytes(StandardCharsets.UTF_8));
    DocumentLocation location = DocumentLocation.parse("s3://flipper/flags.yaml");

    VersionedContent first = fetcher.readIfChanged(location, null, 1 << 20).orElseThrow();
    assertThat(first.version().value()).isEqualTo("etag:" + etag);
    assertThat(new String(first.bytes(), StandardCharsets.UTF_8)).contains("enabled: true");
    assertThat(fetcher.readIfChanged(location, first.version(), 1 << 20)).isEmpty();

    s3.putObject(
        "flipper", "flags.yaml", "flags: {f: {enabled: false}}".getBytes(StandardCharsets.UTF_8));
    assertThat(fetcher.readIfChanged(location, first.version(), 1 << 20)).isPresent();
  }

  @Test
  void s3MissingKeyAndBucketAreClearErrors() {
    s3.createBucket("flipper-empty");
    assertThatThrownBy(
            () ->
                fetcher.readIfChanged(
                    DocumentLocation.parse("s3://flipper-empty/nope.yaml"), null, 100))
        .isInstanceOf(IOException.class)
        .hasMessage("s3://flipper-empty/nope.yaml: no such key");
    assertThatThrownBy(
            () ->
                fetcher.readIfChanged(
                    DocumentLocation.parse("s3://no-such-bucket/x.yaml"), null, 100))
        .isInstanceOf(IOException.class)
        .hasMessageStartingWith("s3://no-such-bucket/x.yaml: no such bucket");
  }

  @Test
  void pollerReadsDocumentAndSiblingIdListFromS3() throws Exception {
    s3.createBucket("prod-feature-flipper");
    StringBuilder csv = new StringBuilder("user_id\n");
    for (int i = 0; i < 10_000; i++) {
      csv.append("beta-").append(i).append('\n');
    }
    s3.putObject(
        "prod-feature-flipper",
        "ai-assistant-beta-users.csv",
        csv.toString().getBytes(StandardCharsets.UTF_8));
    s3.putObject(
        "prod-feature-flipper",
        "flags.yaml",
        FlagDocumentParserTest.FULL_YAML
            .replace(
                "s3://prod-feature-flipper/ai-assistant-beta-users.csv",
                "ai-assistant-beta-users.csv")
            .replace("  allowedS3IDs: s3://prod-feature-flipper/internal-users.csv\n", "")
            .getBytes(StandardCharsets.UTF_8));

    List<IdListMember> members = new ArrayList<>();
    List<FlagSnapshot> snapshots = new ArrayList<>();
    FlagPoller poller =
        new FlagPoller(
            DocumentLocation.parse("s3://prod-feature-flipper/flags.yaml"),
            fetcher,
            new FlagPoller.Listener() {
              @Override
              public void onSnapshot(FlagSnapshot snapshot) {
                snapshots.add(snapshot);
              }

              @Override
              public void onIdListMember(IdListMember member) {
                members.add(member);
              }
            });
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.CHANGED);
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.UNCHANGED);

    assertThat(members).hasSize(10_000);
    String key = "s3://prod-feature-flipper/ai-assistant-beta-users.csv";
    assertThat(members.get(0)).extracting(IdListMember::listKey).isEqualTo(key);
    FlagSnapshot snapshot = snapshots.get(0);
    assertThat(snapshot.idListVersions().get(key).value()).isEqualTo(members.get(0).listVersion());
    assertThat(
            snapshot
                .evaluateWithStoredVersions(
                    FlagNames.INGESTION,
                    "beta-42",
                    Map.of(key, List.of(members.get(0).listVersion())))
                .metricLabel())
        .isIn("segment:AI Assistant Beta Users", "rollout");
  }
}
