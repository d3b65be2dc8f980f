package io.consumergraph.tools.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.operators.backfill.UserLoadRequestParser;
import java.time.Clock;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UserIdValidatorTest {

  private static final UserLoadMessages MESSAGES =
      new UserLoadMessages(
          UserLoadMessages.REASON_BACKFILL,
          365,
          "low",
          false,
          UserLoadMessages.randomRequestIds(),
          Clock.systemUTC());

  @Test
  void rejectsWhatTheJobRejectsAndBrokenCharacters() {
    assertThat(UserIdValidator.problem("")).isEqualTo("empty user id");
    assertThat(UserIdValidator.problem(".")).contains("not a user id");
    assertThat(UserIdValidator.problem("..")).contains("not a user id");
    assertThat(UserIdValidator.problem("a b")).isEqualTo("whitespace at position 2");
    assertThat(UserIdValidator.problem("a\tb")).isEqualTo("whitespace at position 2");
    assertThat(UserIdValidator.problem("a\u00a0b")).isEqualTo("whitespace at position 2");
    assertThat(UserIdValidator.problem("ab\u0007"))
        .isEqualTo("control character U+0007 at position 3");
    assertThat(UserIdValidator.problem("a\ud800")).contains("unpaired surrogate");
    assertThat(UserIdValidator.problem("x".repeat(1025)))
        .isEqualTo("1025 bytes long, more than 1024");
    assertThat(UserIdValidator.problem("é".repeat(513)))
        .isEqualTo("1026 bytes long, more than 1024");
  }

  @Test
  void acceptsOrdinaryAndEdgeIds() {
    for (String id :
        List.of(
            "user-42",
            "42",
            "...",
            ".a",
            "a/b",
            "ü-ñ-日本",
            "x".repeat(1024),
            "é".repeat(512),
            "😀")) {
      assertThat(UserIdValidator.problem(id)).as(id).isNull();
    }
  }

  @Test
  void everyIdTheValidatorAcceptsIsAcceptedByTheJobsParser() {
    Random random = new Random(7);
    String alphabet = "aZ09-_.:/@é日😀,\"'\\ \t\u0001\u00a0";
    int accepted = 0;
    for (int n = 0; n < 20_000; n++) {
      StringBuilder id = new StringBuilder();
      int length = random.nextInt(6) == 0 ? 1020 + random.nextInt(10) : random.nextInt(5);
      while (id.length() < length) {
        id.appendCodePoint(
            alphabet.codePointAt(
                alphabet.offsetByCodePoints(
                    0, random.nextInt(alphabet.codePointCount(0, alphabet.length())))));
      }
      String candidate = id.toString();
      boolean parserAccepts = UserLoadRequestParser.parse(MESSAGES.body(candidate), "test").valid();
      if (UserIdValidator.problem(candidate) == null) {
        accepted++;
        assertThat(parserAccepts).as("parser accepts '%s'", candidate).isTrue();
      } else if (parserAccepts) {
        // Stricter than the parser only for characters a file or body should never carry.
        assertThat(candidate).matches("(?s).*[\\s\\p{Cntrl}\u00a0].*");
      }
    }
    assertThat(accepted).isGreaterThan(1_000);
  }
}
