package io.consumergraph.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdListLoaderTest {

  private static final ContentVersion V1 = new ContentVersion("sha256:test");

  @Test
  void headerBlankLinesCsvColumnsQuotesAndDuplicatesAreHandled() throws IOException {
    String list =
        "\uFEFFuser_id,signup_date\r\n"
            + "u1,2026-01-01\r\n"
            + "\r\n"
            + "  u2  \n"
            + "\"u3\",x\n"
            + "\"u\"\"4\"\n"
            + "u1\n"
            + "USER_ID\n"
            + "   \n"
            + "\"unterminated\n"
            + "u5";
    List<String> ids = new ArrayList<>();
    IdListStats stats = IdListLoader.stream(in(list), V1, ids::add);

    assertThat(ids).containsExactly("u1", "u2", "u3", "u\"4", "u5");
    assertThat(stats.ids()).isEqualTo(5);
    assertThat(stats.duplicates()).isEqualTo(1);
    assertThat(stats.skippedLines()).isEqualTo(5);
    assertThat(stats.version()).isEqualTo(V1);
  }

  @Test
  void emptyListEmitsNothing() throws IOException {
    List<String> ids = new ArrayList<>();
    assertThat(IdListLoader.stream(in(""), V1, ids::add).ids()).isZero();
    assertThat(ids).isEmpty();
  }

  @Test
  void fileListIsStreamedOnlyWhenItChanged(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("beta.csv");
    Files.writeString(file, "user_id\na\nb\n");
    try (FlagDocumentFetcher fetcher =
        FlagDocumentFetcher.create(FlagDocumentFetcher.Settings.defaults())) {
      IdListLoader loader = new IdListLoader(fetcher);
      List<String> ids = new ArrayList<>();
      IdListStats first =
          loader.streamIfChanged(DocumentLocation.file(file), null, ids::add).orElseThrow();
      assertThat(ids).containsExactly("a", "b");

      assertThat(loader.streamIfChanged(DocumentLocation.file(file), first.version(), ids::add))
          .isEmpty();

      Files.writeString(file, "user_id\na\nc\n");
      IdListStats second =
          loader
              .streamIfChanged(DocumentLocation.file(file), first.version(), ids::add)
              .orElseThrow();
      assertThat(second.version()).isNotEqualTo(first.version());
      assertThat(ids).containsExactly("a", "b", "a", "c");
    }
  }

  @Test
  void aMillionIdsStreamWithoutBeingHeld() throws IOException {
    int distinct = 1_000_000;
    // Every 10th line repeats an earlier id, so the stream has 1.1M lines.
    InputStream generated = new GeneratedIdStream(distinct);
    long[] count = {0};
    long[] checksum = {0};
    System.gc();
    Runtime runtime = Runtime.getRuntime();
    long heapBefore = runtime.totalMemory() - runtime.freeMemory();
    long[] peak = {heapBefore};
    IdListStats stats =
        IdListLoader.stream(
            generated,
            V1,
            id -> {
              count[0]++;
              checksum[0] += id.length();
              if ((count[0] & 0x3FFFF) == 0) {
                peak[0] = Math.max(peak[0], runtime.totalMemory() - runtime.freeMemory());
              }
            });
    long peakMb = (peak[0] - heapBefore) / (1024 * 1024);

    assertThat(stats.ids()).isEqualTo(distinct);
    assertThat(count[0]).isEqualTo(distinct);
    // One repeat per 11 lines until the millionth new id: 99,999 repeats.
    assertThat(stats.duplicates()).isEqualTo(99_999);
    System.out.printf(
        "IdListLoader: %d ids (+%d repeats) in %d ms, heap growth sampled <= %d MB%n",
        stats.ids(), stats.duplicates(), stats.elapsed().toMillis(), peakMb);
  }

  @Test
  void rememberingAMillionIdsCostsAHashTableNotTheStrings() {
    IdDeduplicator seen = new IdDeduplicator();
    for (int i = 0; i < 1_000_000; i++) {
      assertThat(seen.firstTime("user-" + i)).isTrue();
    }
    assertThat(seen.firstTime("user-17")).isFalse();

    assertThat(seen.size()).isEqualTo(1_000_000);
    // 1M id strings with a HashSet would hold ~100 MB; the table of 64-bit hashes is 16 MB.
    assertThat(seen.tableBytes()).isLessThanOrEqualTo(32L * 1024 * 1024);
  }

  private static InputStream in(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }

  /** Produces "user_id\n" then ids lazily, so the test itself never holds the list either. */
  private static final class GeneratedIdStream extends InputStream {
    private final int distinct;
    private int next;
    private int line;
    private byte[] current = "user_id\n".getBytes(StandardCharsets.UTF_8);
    private int position;

    GeneratedIdStream(int distinct) {
      this.distinct = distinct;
    }

    @Override
    public int read() {
      if (position == current.length && !advance()) {
        return -1;
      }
      return current[position++] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
      if (length == 0) {
        return 0;
      }
      int written = 0;
      while (written < length) {
        if (position == current.length && !advance()) {
          return written == 0 ? -1 : written;
        }
        int chunk = Math.min(length - written, current.length - position);
        System.arraycopy(current, position, buffer, offset + written, chunk);
        position += chunk;
        written += chunk;
      }
      return written;
    }

    private boolean advance() {
      if (next >= distinct) {
        return false;
      }
      line++;
      int id = line % 11 == 0 ? next / 2 : next++;
      current = ("user-" + id + "\n").getBytes(StandardCharsets.US_ASCII);
      position = 0;
      return true;
    }
  }
}
