package io.consumergraph.flags;

import java.io.IOException;
import java.util.Optional;

/**
 * Fetches content from one kind of location; the only place that talks to a file system, HTTP or
 * S3.
 */
interface ContentFetcher extends AutoCloseable {

  /**
   * Opens the content unless its current version equals {@code known}.
   *
   * @return empty when unchanged
   * @throws IOException when the content cannot be fetched; the message names the location
   */
  Optional<VersionedStream> openIfChanged(DocumentLocation location, ContentVersion known)
      throws IOException;

  @Override
  default void close() {}
}
