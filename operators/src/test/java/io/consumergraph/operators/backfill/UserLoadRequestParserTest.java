package io.consumergraph.operators.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.UserLoadRequest;
import org.junit.jupiter.api.Test;

class UserLoadRequestParserTest {

  private static final String SEED_MESSAGE =
      "{\"event_type\": \"user_load_request\", \"user_id\": \"user-42\","
          + " \"reason\": \"batch_backfill\", \"requested_at\": \"2026-04-02T10:15:30Z\","
          + " \"lookback_days\": 365, \"request_id\": \"0b8f6c1e-3c3a-4b8e-9d7a-8f0f7f2f4a11\","
          + " \"priority\": \"low\"}";

  @Test
  void aUserIdThatIsADotSegmentOrTooLongIsRejected() {
    for (String user : new String[] {".", ".."}) {
      assertThat(UserLoadRequestParser.parse(SEED_MESSAGE.replace("user-42", user), "q").errors())
          .containsExactly("user_id: '" + user + "' is not a user id");
    }
    String longUser = "u".repeat(2000);
    assertThat(UserLoadRequestParser.parse(SEED_MESSAGE.replace("user-42", longUser), "q").errors())
        .containsExactly("user_id is 2000 bytes long, more than 1024");
  }

  @Test
  void theSeedsMessageParses() {
    UserLoadRequestParser.Parsed parsed = UserLoadRequestParser.parse(SEED_MESSAGE, "q");

    assertThat(parsed.errors()).isEmpty();
    UserLoadRequest r = parsed.request();
    assertThat(r.userId()).isEqualTo("user-42");
    assertThat(r.requestId()).isEqualTo("0b8f6c1e-3c3a-4b8e-9d7a-8f0f7f2f4a11");
    assertThat(r.reason()).isEqualTo("batch_backfill");
    assertThat(r.lookbackDays()).isEqualTo(365);
    assertThat(r.priority()).isEqualTo("low");
    assertThat(r.force()).isFalse();
    assertThat(r.requestedAtMs()).isEqualTo(1775124930000L);
    assertThat(r.source()).isEqualTo("q");
  }

  @Test
  void optionalFieldsTakeDefaultsAndForceIsRead() {
    UserLoadRequestParser.Parsed parsed =
        UserLoadRequestParser.parse(
            "{\"event_type\":\"user_load_request\",\"user_id\":\"u\",\"request_id\":\"r\","
                + "\"requested_at\":\"2026-04-02T10:15:30+02:00\",\"force\":true}",
            "q");

    assertThat(parsed.request().lookbackDays()).isEqualTo(365);
    assertThat(parsed.request().priority()).isEqualTo("low");
    assertThat(parsed.request().force()).isTrue();
  }

  @Test
  void everyProblemIsReportedWithItsField() {
    UserLoadRequestParser.Parsed parsed =
        UserLoadRequestParser.parse(
            "{\"event_type\":\"user_delete\",\"user_id\":\"\",\"requested_at\":\"yesterday\","
                + "\"lookback_days\":9000,\"priority\":\"urgent\",\"force\":\"yes\",\"extra\":1}",
            "q");

    assertThat(parsed.valid()).isFalse();
    assertThat(parsed.errors())
        .containsExactlyInAnyOrder(
            "extra: unknown field",
            "event_type: expected 'user_load_request', got 'user_delete'",
            "user_id: empty",
            "request_id: missing",
            "requested_at: 'yesterday' is not an RFC 3339 timestamp",
            "lookback_days: 9000 is not within 1..730",
            "priority: expected one of low, normal, high, got 'urgent'",
            "force: expected true or false, got \"yes\"");
  }

  @Test
  void nonJsonAndNonObjectBodiesAreRejected() {
    assertThat(UserLoadRequestParser.parse("user-42", "q").errors().get(0))
        .startsWith("body is not JSON");
    assertThat(UserLoadRequestParser.parse("[1,2]", "q").errors())
        .containsExactly("body is not a JSON object");
    assertThat(UserLoadRequestParser.parse("{\"user_id\": 5}", "q").errors())
        .contains("user_id: expected a string, got number");
  }
}
