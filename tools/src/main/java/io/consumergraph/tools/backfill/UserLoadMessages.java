package io.consumergraph.tools.backfill;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Builds the body of a {@code user_load_request} in the job's shape (README, "Backfills"): {@code
 * event_type, user_id, reason, requested_at, lookback_days, request_id, priority, force}.
 */
public final class UserLoadMessages {

  public static final String EVENT_TYPE = "user_load_request";
  public static final String REASON_BACKFILL = "batch_backfill";
  public static final String REASON_ENROLLMENT = "enrollment";
  public static final int DEFAULT_LOOKBACK_DAYS = 365;
  public static final int MAX_LOOKBACK_DAYS = 730;
  public static final Set<String> PRIORITIES = Set.of("low", "normal", "high");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String reason;
  private final int lookbackDays;
  private final String priority;
  private final boolean force;
  private final Function<String, String> requestIdFor;
  private final Clock clock;

  /**
   * @param requestIdFor the request id of a user's message; a random UUID per message unless the
   *     sender needs a resent message to be recognised as a redelivery
   */
  public UserLoadMessages(
      String reason,
      int lookbackDays,
      String priority,
      boolean force,
      Function<String, String> requestIdFor,
      Clock clock) {
    if (lookbackDays < 1 || lookbackDays > MAX_LOOKBACK_DAYS) {
      throw new IllegalArgumentException(
          "lookback days " + lookbackDays + " is not within 1.." + MAX_LOOKBACK_DAYS);
    }
    if (!PRIORITIES.contains(priority)) {
      throw new IllegalArgumentException("priority '" + priority + "' is not low, normal or high");
    }
    this.reason = reason;
    this.lookbackDays = lookbackDays;
    this.priority = priority;
    this.force = force;
    this.requestIdFor = requestIdFor;
    this.clock = clock;
  }

  /** Random request ids: every message is a new request. */
  public static Function<String, String> randomRequestIds() {
    return userId -> UUID.randomUUID().toString();
  }

  /**
   * Request ids derived from the job and the user: a message sent again after a restart carries the
   * same id, so the job drops it as a redelivery.
   */
  public static Function<String, String> requestIdsOf(String jobId) {
    return userId ->
        UUID.nameUUIDFromBytes(
                (jobId + "\n" + userId).getBytes(java.nio.charset.StandardCharsets.UTF_8))
            .toString();
  }

  public String body(String userId) {
    ObjectNode node = JSON.createObjectNode();
    node.put("event_type", EVENT_TYPE);
    node.put("user_id", userId);
    node.put("reason", reason);
    node.put("requested_at", clock.instant().truncatedTo(ChronoUnit.MILLIS).toString());
    node.put("lookback_days", lookbackDays);
    node.put("request_id", requestIdFor.apply(userId));
    node.put("priority", priority);
    node.put("force", force);
    return node.toString();
  }
}
