package io.consumergraph.flags;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Objects;

/** Fetched content to be read as a stream (an id list), with its version; close it after use. */
public record VersionedStream(ContentVersion version, InputStream stream) implements Closeable {
  public VersionedStream {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(stream, "stream");
  }

  @Override
  public void close() throws IOException {
    stream.close();
  }
}
