package io.consumergraph.flags;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/** Local files, versioned by the SHA-256 of their content (mtime can be too coarse to trust). */
final class FileFetcher implements ContentFetcher {

  @Override
  public Optional<VersionedStream> openIfChanged(DocumentLocation location, ContentVersion known)
      throws IOException {
    ContentVersion version;
    try (InputStream in = new DigestInputStream(Files.newInputStream(location.path()), sha256())) {
      in.transferTo(OutputStreamSink.INSTANCE);
      version = ContentVersion.sha256(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchFileException e) {
      throw new IOException(location + ": no such file", e);
    }
    if (version.equals(known)) {
      return Optional.empty();
    }
    // A write between the digest and this open is caught by the next poll's digest.
    return Optional.of(new VersionedStream(version, Files.newInputStream(location.path())));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** Discards bytes; the digest stream does the work. */
  private static final class OutputStreamSink extends java.io.OutputStream {
    static final OutputStreamSink INSTANCE = new OutputStreamSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
