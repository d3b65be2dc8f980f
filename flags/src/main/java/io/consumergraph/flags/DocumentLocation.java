package io.consumergraph.flags;

import java.io.Serializable;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a flag document or an id list lives: a local file, an {@code http(s)://} URL or an {@code
 * s3://bucket/key} object. {@link #toString()} is the canonical form and is used as the id list's
 * key in keyed state, so it must stay stable.
 */
public record DocumentLocation(Kind kind, URI uri) implements Serializable {

  /** How the content is fetched. */
  public enum Kind {
    FILE,
    HTTP,
    S3
  }

  public DocumentLocation {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(uri, "uri");
    if (kind == Kind.S3 && (bucketOrNull(uri) == null || key(uri).isEmpty())) {
      throw new IllegalArgumentException("an S3 location needs s3://bucket/key, got " + uri);
    }
  }

  /**
   * Parses {@code s3://bucket/key}, {@code http(s)://...}, {@code file:/...} or a plain local path
   * (relative paths resolve against the working directory).
   */
  public static DocumentLocation parse(String text) {
    Objects.requireNonNull(text, "text");
    String trimmed = text.trim();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException("location is empty");
    }
    String lower = trimmed.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("s3://")) {
      return new DocumentLocation(Kind.S3, uri(trimmed));
    }
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      return new DocumentLocation(Kind.HTTP, uri(trimmed));
    }
    if (lower.startsWith("file:")) {
      return file(Path.of(uri(trimmed)));
    }
    return file(Path.of(trimmed));
  }

  /** A local file. */
  public static DocumentLocation file(Path path) {
    return new DocumentLocation(Kind.FILE, path.toAbsolutePath().normalize().toUri());
  }

  /**
   * Resolves a reference found inside the document at this location: absolute references ({@code
   * s3://}, {@code http(s)://}, {@code file:}, absolute paths) stand alone; a bare name such as
   * {@code beta-users.csv} is a sibling of this document (same bucket and prefix, same directory,
   * same URL path), which is how Feature Flipper names files in its own bucket.
   */
  public DocumentLocation resolve(String reference) {
    String trimmed = reference.trim();
    String lower = trimmed.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("s3://")
        || lower.startsWith("http://")
        || lower.startsWith("https://")
        || lower.startsWith("file:")
        || Path.of(trimmed).isAbsolute()) {
      return parse(trimmed);
    }
    return switch (kind) {
      case FILE -> file(Path.of(uri).resolveSibling(trimmed));
      case HTTP -> new DocumentLocation(Kind.HTTP, uri.resolve(trimmed));
      case S3 -> {
        String key = key(uri);
        int slash = key.lastIndexOf('/');
        String prefix = slash < 0 ? "" : key.substring(0, slash + 1);
        yield new DocumentLocation(Kind.S3, uri("s3://" + bucket() + "/" + prefix + trimmed));
      }
    };
  }

  /** The bucket of an S3 location. */
  public String bucket() {
    requireS3();
    return bucketOrNull(uri);
  }

  /** The object key of an S3 location (no leading slash). */
  public String key() {
    requireS3();
    return key(uri);
  }

  /** The local path of a file location. */
  public Path path() {
    if (kind != Kind.FILE) {
      throw new IllegalStateException("not a file location: " + uri);
    }
    return Path.of(uri);
  }

  @Override
  public String toString() {
    return uri.toString();
  }

  private void requireS3() {
    if (kind != Kind.S3) {
      throw new IllegalStateException("not an S3 location: " + uri);
    }
  }

  private static String bucketOrNull(URI uri) {
    // Bucket names with dots or underscores are not valid host names, so fall back to authority.
    return uri.getHost() != null ? uri.getHost() : uri.getAuthority();
  }

  private static String key(URI uri) {
    String path = uri.getPath();
    return path == null ? "" : path.startsWith("/") ? path.substring(1) : path;
  }

  private static URI uri(String text) {
    try {
      return new URI(text);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "not a valid location: " + text + " (" + e.getReason() + ")");
    }
  }
}
