package io.consumergraph.flags;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * HTTP(S) URLs with conditional GETs: the ETag (or Last-Modified) of the last fetch is sent back,
 * and a 304 means unchanged. A server that sends neither is versioned by the SHA-256 of the body,
 * which is then read into memory.
 */
final class HttpFetcher implements ContentFetcher {

  private static final String ETAG = "etag:";
  private static final String LAST_MODIFIED = "last-modified:";

  private final HttpClient client;
  private final Duration timeout;

  HttpFetcher(Duration timeout) {
    this.timeout = timeout;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  @Override
  public Optional<VersionedStream> openIfChanged(DocumentLocation location, ContentVersion known)
      throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(location.uri()).timeout(timeout).GET();
    if (known != null && known.value().startsWith(ETAG)) {
      request.header("If-None-Match", known.value().substring(ETAG.length()));
    } else if (known != null && known.value().startsWith(LAST_MODIFIED)) {
      request.header("If-Modified-Since", known.value().substring(LAST_MODIFIED.length()));
    }
    HttpResponse<InputStream> response;
    try {
      response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while fetching " + location);
    } catch (IOException e) {
      throw new IOException("GET " + location + ": " + describe(e), e);
    }
    int status = response.statusCode();
    if (status == 304) {
      response.body().close();
      return Optional.empty();
    }
    if (status / 100 != 2) {
      String excerpt;
      try (InputStream body = response.body()) {
        excerpt = new String(body.readNBytes(200), StandardCharsets.UTF_8).strip();
      }
      throw new IOException(
          "GET " + location + ": HTTP " + status + (excerpt.isEmpty() ? "" : " (" + excerpt + ")"));
    }
    Optional<String> etag = response.headers().firstValue("ETag");
    if (etag.isPresent()) {
      return Optional.of(new VersionedStream(ContentVersion.etag(etag.get()), response.body()));
    }
    Optional<String> lastModified = response.headers().firstValue("Last-Modified");
    if (lastModified.isPresent()) {
      return Optional.of(
          new VersionedStream(ContentVersion.lastModified(lastModified.get()), response.body()));
    }
    byte[] body;
    try (InputStream in = response.body()) {
      body = in.readAllBytes();
    }
    ContentVersion version = ContentVersion.sha256(FileFetcher.sha256().digest(body));
    if (version.equals(known)) {
      return Optional.empty();
    }
    return Optional.of(new VersionedStream(version, new ByteArrayInputStream(body)));
  }

  private static String describe(IOException e) {
    String message = e.getMessage();
    return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }
}
