package io.consumergraph.flags;

import java.io.Serializable;
import java.util.Objects;

/**
 * An opaque version of fetched content: {@code etag:<ETag>} (S3, HTTP), {@code
 * last-modified:<date>} (HTTP without ETag) or {@code sha256:<hex>} (files, HTTP without
 * validators). Equal versions mean unchanged content, so it is not fetched or parsed again.
 */
public record ContentVersion(String value) implements Serializable {

  public ContentVersion {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("version is blank");
    }
  }

  static ContentVersion etag(String etag) {
    return new ContentVersion("etag:" + etag);
  }

  static ContentVersion lastModified(String httpDate) {
    return new ContentVersion("last-modified:" + httpDate);
  }

  static ContentVersion sha256(byte[] digest) {
    return new ContentVersion("sha256:" + java.util.HexFormat.of().formatHex(digest));
  }

  @Override
  public String toString() {
    return value;
  }
}
