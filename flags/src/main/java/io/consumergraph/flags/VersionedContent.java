package io.consumergraph.flags;

import java.util.Objects;

/** Fetched content held in memory (a flag document), with its version. */
public record VersionedContent(ContentVersion version, byte[] bytes) {
  public VersionedContent {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(bytes, "bytes");
  }
}
