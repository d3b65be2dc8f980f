package io.consumergraph.flags;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Fetches flag documents and id lists from a local path, an {@code http(s)://} URL or an {@code
 * s3://bucket/key} object, returning nothing when the content's version is the one the caller
 * already has. Thread-safe; create it where it runs (e.g. a Flink source's {@code open()}) from the
 * serializable {@link Settings}.
 */
public final class FlagDocumentFetcher implements AutoCloseable {

  /** Flag documents are small; a larger one is refused rather than buffered. */
  public static final long DEFAULT_MAX_DOCUMENT_BYTES = 32L * 1024 * 1024;

  /** How to reach HTTP and S3 locations. */
  public record Settings(Duration httpTimeout, S3Settings s3) implements Serializable {
    public Settings {
      Objects.requireNonNull(httpTimeout, "httpTimeout");
      Objects.requireNonNull(s3, "s3");
    }

    /** 10 s HTTP timeout, S3 through the SDK's default chains. */
    public static Settings defaults() {
      return new Settings(Duration.ofSeconds(10), S3Settings.defaults());
    }
  }

  private final ContentFetcher files;
  private final ContentFetcher http;
  private final Supplier<ContentFetcher> s3Factory;
  private ContentFetcher s3;

  FlagDocumentFetcher(
      ContentFetcher files, ContentFetcher http, Supplier<ContentFetcher> s3Factory) {
    this.files = files;
    this.http = http;
    this.s3Factory = s3Factory;
  }

  /** A fetcher for the given settings; the S3 client is built on first use of an s3:// location. */
  public static FlagDocumentFetcher create(Settings settings) {
    return new FlagDocumentFetcher(
        new FileFetcher(),
        new HttpFetcher(settings.httpTimeout()),
        () -> new S3Fetcher(settings.s3().newClient(), true));
  }

  /** A fetcher that reads s3:// locations through the given client (not closed by it). */
  public static FlagDocumentFetcher withS3Client(Duration httpTimeout, S3Client s3Client) {
    return new FlagDocumentFetcher(
        new FileFetcher(), new HttpFetcher(httpTimeout), () -> new S3Fetcher(s3Client, false));
  }

  /**
   * Opens the content unless its version equals {@code known} (null: always open). Close the
   * returned stream.
   */
  public Optional<VersionedStream> openIfChanged(DocumentLocation location, ContentVersion known)
      throws IOException {
    return fetcher(location).openIfChanged(location, known);
  }

  /** Reads the whole content unless its version equals {@code known}; refuses above maxBytes. */
  public Optional<VersionedContent> readIfChanged(
      DocumentLocation location, ContentVersion known, long maxBytes) throws IOException {
    Optional<VersionedStream> opened = openIfChanged(location, known);
    if (opened.isEmpty()) {
      return Optional.empty();
    }
    try (VersionedStream stream = opened.get()) {
      InputStream in = stream.stream();
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw new IOException(location + ": larger than " + maxBytes + " bytes");
      }
      return Optional.of(new VersionedContent(stream.version(), bytes));
    }
  }

  private ContentFetcher fetcher(DocumentLocation location) {
    return switch (location.kind()) {
      case FILE -> files;
      case HTTP -> http;
      case S3 -> s3();
    };
  }

  private synchronized ContentFetcher s3() {
    if (s3 == null) {
      s3 = s3Factory.get();
    }
    return s3;
  }

  @Override
  public synchronized void close() {
    if (s3 != null) {
      s3.close();
    }
  }
}
