package io.consumergraph.tools.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.tools.backfill.UserLoadMessages;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses admin request bodies strictly: malformed JSON, an unknown field or a value of the wrong
 * type is a 400; a well-typed value out of range is a 422.
 */
final class AdminRequests {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A backfill request: exactly one of the three sources, and the message settings. */
  record Backfill(
      List<String> userIds,
      String s3Uri,
      boolean neo4j,
      double rateLimit,
      int lookbackDays,
      boolean force,
      String priority) {}

  /** An enrollment request: one or more user ids. */
  record Enroll(List<String> userIds, int lookbackDays, boolean force) {}

  private static final Set<String> BACKFILL_FIELDS =
      Set.of("user_ids", "s3_uri", "source", "rate_limit", "lookback_days", "force", "priority");
  private static final Set<String> ENROLL_FIELDS =
      Set.of("user_id", "user_ids", "lookback_days", "force");

  private AdminRequests() {}

  static Backfill backfill(String body, double defaultRate, double maxRate) {
    JsonNode root = object(body, BACKFILL_FIELDS);
    int sources = 0;
    for (String field : List.of("user_ids", "s3_uri", "source")) {
      if (present(root, field)) {
        sources++;
      }
    }
    if (sources != 1) {
      throw new ApiError(
          400, "exactly one of user_ids, s3_uri or source must be given", Map.of("given", sources));
    }
    List<String> ids = present(root, "user_ids") ? strings(root.get("user_ids"), "user_ids") : null;
    String s3Uri = present(root, "s3_uri") ? text(root.get("s3_uri"), "s3_uri") : null;
    boolean neo4j = false;
    if (present(root, "source")) {
      String source = text(root.get("source"), "source");
      if (!source.equals("neo4j")) {
        throw new ApiError(422, "source must be \"neo4j\"", Map.of("source", source));
      }
      neo4j = true;
    }
    double rate = defaultRate;
    if (present(root, "rate_limit")) {
      JsonNode node = root.get("rate_limit");
      if (!node.isNumber()) {
        throw wrongType("rate_limit", "a number", node);
      }
      rate = node.asDouble();
      if (!(rate > 0) || rate > maxRate) {
        throw new ApiError(
            422,
            "rate_limit must be more than 0 and at most " + maxRate,
            Map.of("rate_limit", rate));
      }
    }
    String priority = "low";
    if (present(root, "priority")) {
      priority = text(root.get("priority"), "priority");
      if (!UserLoadMessages.PRIORITIES.contains(priority)) {
        throw new ApiError(
            422, "priority must be low, normal or high", Map.of("priority", priority));
      }
    }
    return new Backfill(ids, s3Uri, neo4j, rate, lookbackDays(root), bool(root, "force"), priority);
  }

  static Enroll enroll(String body) {
    JsonNode root = object(body, ENROLL_FIELDS);
    boolean one = present(root, "user_id");
    boolean many = present(root, "user_ids");
    if (one == many) {
      throw new ApiError(400, "exactly one of user_id or user_ids must be given");
    }
    List<String> ids =
        one
            ? List.of(text(root.get("user_id"), "user_id"))
            : strings(root.get("user_ids"), "user_ids");
    return new Enroll(ids, lookbackDays(root), bool(root, "force"));
  }

  private static JsonNode object(String body, Set<String> fields) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiError(400, "malformed JSON", e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new ApiError(400, "the body must be a JSON object");
    }
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!fields.contains(field)) {
        unknown.add(field);
      }
    }
    if (!unknown.isEmpty()) {
      throw new ApiError(
          400,
          "unknown field",
          Map.of("fields", unknown, "allowed", fields.stream().sorted().toList()));
    }
    return root;
  }

  private static boolean present(JsonNode root, String field) {
    return root.has(field) && !root.get(field).isNull();
  }

  private static int lookbackDays(JsonNode root) {
    if (!present(root, "lookback_days")) {
      return UserLoadMessages.DEFAULT_LOOKBACK_DAYS;
    }
    JsonNode node = root.get("lookback_days");
    if (!node.isIntegralNumber() || !node.canConvertToInt()) {
      throw wrongType("lookback_days", "an integer", node);
    }
    int days = node.asInt();
    if (days < 1 || days > UserLoadMessages.MAX_LOOKBACK_DAYS) {
      throw new ApiError(
          422,
          "lookback_days must be within 1.." + UserLoadMessages.MAX_LOOKBACK_DAYS,
          Map.of("lookback_days", days));
    }
    return days;
  }

  private static boolean bool(JsonNode root, String field) {
    if (!present(root, field)) {
      return false;
    }
    JsonNode node = root.get(field);
    if (!node.isBoolean()) {
      throw wrongType(field, "true or false", node);
    }
    return node.asBoolean();
  }

  private static String text(JsonNode node, String field) {
    if (!node.isTextual()) {
      throw wrongType(field, "a string", node);
    }
    return node.asText();
  }

  private static List<String> strings(JsonNode node, String field) {
    if (!node.isArray()) {
      throw wrongType(field, "an array of strings", node);
    }
    List<String> values = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      JsonNode item = node.get(i);
      if (!item.isTextual()) {
        throw wrongType(field + "[" + i + "]", "a string", item);
      }
      values.add(item.asText());
    }
    return values;
  }

  private static ApiError wrongType(String field, String expected, JsonNode got) {
    return new ApiError(
        400,
        "wrong type",
        Map.of(
            "field", field, "expected", expected, "got", got.getNodeType().name().toLowerCase()));
  }
}
