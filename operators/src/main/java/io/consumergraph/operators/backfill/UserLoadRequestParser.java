package io.consumergraph.operators.backfill;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.decode.PurchaseChecks;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates the JSON of a {@code user_load_request} (the shape of seed 001). Every
 * problem is reported with the field it concerns; an invalid request is never guessed at.
 */
public final class UserLoadRequestParser {

  public static final String EVENT_TYPE = "user_load_request";
  public static final int DEFAULT_LOOKBACK_DAYS = 365;
  public static final int MAX_LOOKBACK_DAYS = 730;
  static final Set<String> PRIORITIES = Set.of("low", "normal", "high");
  static final Set<String> FIELDS =
      Set.of(
          "event_type",
          "user_id",
          "reason",
          "requested_at",
          "lookback_days",
          "request_id",
          "priority",
          "force");

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The outcome: a request, or the list of everything wrong with the message. */
  public record Parsed(UserLoadRequest request, List<String> errors) {
    public boolean valid() {
      return request != null;
    }
  }

  private UserLoadRequestParser() {}

  public static Parsed parse(String body, String source) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return invalid("body is not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      return invalid("body is not a JSON object");
    }
    List<String> errors = new ArrayList<>();
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!FIELDS.contains(field)) {
        errors.add(field + ": unknown field");
      }
    }
    String eventType = text(root, "event_type", errors, true);
    if (eventType != null && !eventType.equals(EVENT_TYPE)) {
      errors.add("event_type: expected '" + EVENT_TYPE + "', got '" + eventType + "'");
    }
    String userId = text(root, "user_id", errors, true);
    if (userId != null) {
      String problem = PurchaseChecks.idProblem("user_id", userId, true);
      if (problem != null) {
        errors.add(problem);
      } else if (userId.equals(".") || userId.equals("..")) {
        // Percent-encoding leaves dots as they are: as a path segment of an upstream URL this
        // would name another resource.
        errors.add("user_id: '" + userId + "' is not a user id");
      }
    }
    String requestId = text(root, "request_id", errors, true);
    if (requestId != null) {
      String problem = PurchaseChecks.idProblem("request_id", requestId, true);
      if (problem != null) {
        errors.add(problem);
      }
    }
    String reason = text(root, "reason", errors, false);
    String requestedAt = text(root, "requested_at", errors, true);
    long requestedAtMs = 0;
    if (requestedAt != null) {
      try {
        requestedAtMs = OffsetDateTime.parse(requestedAt).toInstant().toEpochMilli();
      } catch (DateTimeParseException e) {
        errors.add("requested_at: '" + requestedAt + "' is not an RFC 3339 timestamp");
      }
    }
    int lookbackDays = DEFAULT_LOOKBACK_DAYS;
    JsonNode lookback = root.get("lookback_days");
    if (lookback != null && !lookback.isNull()) {
      if (!lookback.canConvertToInt() || !lookback.isIntegralNumber()) {
        errors.add("lookback_days: expected an integer, got " + lookback);
      } else if (lookback.asInt() < 1 || lookback.asInt() > MAX_LOOKBACK_DAYS) {
        errors.add("lookback_days: " + lookback.asInt() + " is not within 1.." + MAX_LOOKBACK_DAYS);
      } else {
        lookbackDays = lookback.asInt();
      }
    }
    String priority = text(root, "priority", errors, false);
    if (priority == null) {
      priority = "low";
    } else if (!PRIORITIES.contains(priority)) {
      errors.add("priority: expected one of low, normal, high, got '" + priority + "'");
    }
    boolean force = false;
    JsonNode forceNode = root.get("force");
    if (forceNode != null && !forceNode.isNull()) {
      if (!forceNode.isBoolean()) {
        errors.add("force: expected true or false, got " + forceNode);
      } else {
        force = forceNode.asBoolean();
      }
    }
    if (!errors.isEmpty()) {
      return new Parsed(null, List.copyOf(errors));
    }
    return new Parsed(
        new UserLoadRequest(
            requestId,
            userId,
            reason == null ? "" : reason,
            requestedAtMs,
            lookbackDays,
            priority,
            force,
            source),
        List.of());
  }

  private static String text(JsonNode root, String field, List<String> errors, boolean required) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        errors.add(field + ": missing");
      }
      return null;
    }
    if (!node.isTextual()) {
      errors.add(field + ": expected a string, got " + node.getNodeType().name().toLowerCase());
      return null;
    }
    if (required && node.asText().isBlank()) {
      errors.add(field + ": empty");
      return null;
    }
    return node.asText();
  }

  private static Parsed invalid(String error) {
    return new Parsed(null, List.of(error));
  }
}
