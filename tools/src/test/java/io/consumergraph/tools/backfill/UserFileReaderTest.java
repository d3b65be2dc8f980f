package io.consumergraph.tools.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserFileReaderTest {

  @TempDir Path dir;

  private UserIds read(String content) throws Exception {
    return UserFileReader.read(content.getBytes(StandardCharsets.UTF_8), "test", 1_000_000);
  }

  @Test
  void readsOneIdALineSkippingEmptyLinesAndDuplicates() throws Exception {
    UserIds ids = read("u1\n\nu2\r\n  u3  \nu1\nu2\n");
    assertThat(ids.ids()).containsExactly("u1", "u2", "u3");
    assertThat(ids.lines()).containsExactly(1, 3, 4);
    assertThat(ids.duplicates()).isEqualTo(2);
    assertThat(ids.emptyLines()).isEqualTo(1);
  }

  @Test
  void readsTheUserIdColumnOfACsvWithAHeader() throws Exception {
    UserIds ids = read("\uFEFFemail,User_Id,segment\n\"a@x\",u1,beta\n\"b,c\",\"u,2\",x\nz,u1,y\n");
    assertThat(ids.ids()).containsExactly("u1", "u,2");
    assertThat(ids.lines()).containsExactly(2, 3);
    assertThat(ids.duplicates()).isEqualTo(1);
  }

  @Test
  void aSingleColumnCsvHeaderIsNotAnId() throws Exception {
    assertThat(read("user_id\nu1\n").ids()).containsExactly("u1");
  }

  @Test
  void reportsEveryMalformedIdWithItsLineNumber() {
    assertThatThrownBy(() -> read("u1\nu 2\n.\nu3\n" + "x".repeat(1100) + "\nu\u0001\n"))
        .isInstanceOfSatisfying(
            InvalidUserIdsException.class,
            e -> {
              assertThat(e.getMessage()).isEqualTo("test has 4 malformed user ids");
              assertThat(e.problems())
                  .extracting(InvalidUserIdsException.Problem::line)
                  .containsExactly(2, 3, 5, 6);
              assertThat(e.describe(10))
                  .contains("line 2: whitespace at position 2 ('u 2')")
                  .contains("line 3: '.' is not a user id")
                  .contains("line 5: 1100 bytes long, more than 1024")
                  .contains("line 6: control character U+0001 at position 2");
            });
  }

  @Test
  void rejectsBrokenCsv() {
    assertThatThrownBy(() -> read("name,email\na,b\n"))
        .hasMessageContaining("line 1 looks like a CSV header but has no 'user_id' column");
    assertThatThrownBy(() -> read("user_id,name\n\"u1,a\n,b\n"))
        .isInstanceOfSatisfying(
            InvalidUserIdsException.class,
            e ->
                assertThat(e.describe(10))
                    .contains("line 2: unterminated quote")
                    .contains("line 3: empty user id"));
  }

  @Test
  void capsTheNumberOfDistinctIds() throws Exception {
    assertThat(read("a\nb\nc\na\n").size()).isEqualTo(3);
    assertThatThrownBy(
            () -> UserFileReader.read("a\nb\nc\nd\n".getBytes(StandardCharsets.UTF_8), "f", 3))
        .hasMessage("f has more than 3 distinct user ids (the cap)");
    // duplicates do not count towards the cap
    assertThat(UserFileReader.read("a\nb\na\nc\n".getBytes(StandardCharsets.UTF_8), "f", 3).size())
        .isEqualTo(3);
  }

  @Test
  void reportsAMissingFileAndInvalidUtf8() throws Exception {
    assertThatThrownBy(() -> UserFileReader.read(dir.resolve("nope.txt")))
        .hasMessageEndingWith("nope.txt does not exist");
    Path bad = dir.resolve("bad.txt");
    Files.write(bad, new byte[] {'a', '\n', (byte) 0xC3, '\n'});
    assertThatThrownBy(() -> UserFileReader.read(bad)).hasMessageContaining("not valid UTF-8");
  }
}
