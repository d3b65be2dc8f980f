package io.consumergraph.tools.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.backfill.UserLoadRequestParser;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class UserLoadMessagesTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-04-02T10:15:30.123456Z"), ZoneOffset.UTC);

  @Test
  void theBodyHasExactlyTheJobsShapeAndTheParserAcceptsIt() throws Exception {
    UserLoadMessages messages =
        new UserLoadMessages("batch_backfill", 30, "high", true, id -> "r-" + id, CLOCK);
    String body = messages.body("user-42");
    JsonNode json = new ObjectMapper().readTree(body);
    assertThat(json.fieldNames())
        .toIterable()
        .containsExactly(
            "event_type",
            "user_id",
            "reason",
            "requested_at",
            "lookback_days",
            "request_id",
            "priority",
            "force");
    assertThat(body)
        .isEqualTo(
            "{\"event_type\":\"user_load_request\",\"user_id\":\"user-42\",\"reason\":\"batch_backfill\","
                + "\"requested_at\":\"2026-04-02T10:15:30.123Z\",\"lookback_days\":30,"
                + "\"request_id\":\"r-user-42\",\"priority\":\"high\",\"force\":true}");
    UserLoadRequestParser.Parsed parsed = UserLoadRequestParser.parse(body, "test");
    assertThat(parsed.errors()).isEmpty();
    UserLoadRequest request = parsed.request();
    assertThat(request.userId()).isEqualTo("user-42");
    assertThat(request.lookbackDays()).isEqualTo(30);
    assertThat(request.force()).isTrue();
    assertThat(request.priority()).isEqualTo("high");
  }

  @Test
  void jobRequestIdsAreStablePerJobAndUser() {
    var ids = UserLoadMessages.requestIdsOf("job-1");
    assertThat(ids.apply("u1")).isEqualTo(UserLoadMessages.requestIdsOf("job-1").apply("u1"));
    assertThat(ids.apply("u1")).isNotEqualTo(ids.apply("u2"));
    assertThat(ids.apply("u1")).isNotEqualTo(UserLoadMessages.requestIdsOf("job-2").apply("u1"));
    var random = UserLoadMessages.randomRequestIds();
    assertThat(List.of(random.apply("u1"), random.apply("u1"))).doesNotHaveDuplicates();
  }

  @Test
  void rejectsSettingsTheJobWouldReject() {
    assertThatThrownBy(() -> new UserLoadMessages("r", 731, "low", false, id -> id, CLOCK))
        .hasMessageContaining("1..730");
    assertThatThrownBy(() -> new UserLoadMessages("r", 0, "low", false, id -> id, CLOCK))
        .hasMessageContaining("1..730");
    assertThatThrownBy(() -> new UserLoadMessages("r", 1, "urgent", false, id -> id, CLOCK))
        .hasMessageContaining("urgent");
  }
}
