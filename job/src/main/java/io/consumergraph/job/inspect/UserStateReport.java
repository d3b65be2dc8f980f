package io.consumergraph.job.inspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** One user's state in every stateful operator of a snapshot, as a table or as JSON. */
final class UserStateReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Snapshot snapshot;
  private final String user;
  private final Map<String, StateRow> rows = new HashMap<>();

  UserStateReport(Snapshot snapshot, String user) {
    this.snapshot = snapshot;
    this.user = user;
  }

  void add(StateRow row) {
    if (!row.broadcast() && user.equals(row.key())) {
      rows.put(row.operator() + "/" + row.state(), row);
    }
  }

  /** False when no operator holds state for the user. */
  boolean found() {
    return !rows.isEmpty();
  }

  String table() throws JsonProcessingException {
    StringBuilder out = new StringBuilder();
    out.append(heading()).append('\n');
    if (!found()) {
      return out.append("no state for user ").append(user).append('\n').toString();
    }
    out.append('\n');
    TextTable table = new TextTable("OPERATOR", "STATE", "ENTRIES>", "CONTENT");
    for (JobStates.Operator operator : snapshot.operators()) {
      String name = operator.uid();
      for (StateSpec spec : operator.states()) {
        StateRow row = rows.get(operator.uid() + "/" + spec.name());
        if (row == null) {
          table.row(name, spec.name(), "-", "");
        } else {
          List<String> lines = render(spec, JSON.readTree(row.content()));
          table.row(name, spec.name(), row.entries(), lines.isEmpty() ? "" : lines.get(0));
          for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            table.row("", "", "", line);
          }
        }
        name = "";
      }
    }
    out.append(table);
    for (String uid : snapshot.absent()) {
      out.append(uid).append(": not in this snapshot\n");
    }
    return out.toString();
  }

  String json() throws JsonProcessingException {
    ObjectNode root = JSON.createObjectNode();
    root.put("snapshot", snapshot.directory().toString());
    root.put("kind", snapshot.kind());
    root.put("checkpointId", snapshot.checkpointId());
    root.put("user", user);
    root.put("found", found());
    ObjectNode operators = root.putObject("operators");
    for (JobStates.Operator operator : snapshot.operators()) {
      ObjectNode states = operators.putObject(operator.uid());
      for (StateSpec spec : operator.states()) {
        StateRow row = rows.get(operator.uid() + "/" + spec.name());
        states.set(spec.name(), row == null ? null : JSON.readTree(row.content()));
      }
    }
    root.putPOJO("absentOperators", snapshot.absent());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
  }

  private String heading() {
    return "user "
        + user
        + " in "
        + snapshot.kind()
        + " "
        + snapshot.directory()
        + " (checkpoint id "
        + snapshot.checkpointId()
        + ")";
  }

  /** The content as table lines, one per entry. */
  static List<String> render(StateSpec spec, JsonNode content) {
    List<String> lines = new ArrayList<>();
    switch (spec.shown()) {
      case TIME -> lines.add(time(content));
      case TIMES_BY_ID ->
          content.fields().forEachRemaining(e -> lines.add(e.getKey() + "  " + time(e.getValue())));
      case VERSIONS_BY_LIST ->
          content
              .fields()
              .forEachRemaining(
                  e -> {
                    List<String> versions = new ArrayList<>();
                    e.getValue().forEach(v -> versions.add(v.asText()));
                    lines.add(e.getKey() + ": " + String.join(", ", versions));
                  });
      case PURCHASES -> content.elements().forEachRemaining(p -> lines.add(purchase(p)));
      case REQUEST -> lines.add(request(content));
      case PLAIN -> lines.add(content.isTextual() ? content.asText() : content.toString());
    }
    return lines;
  }

  private static String time(JsonNode epochMs) {
    return Instant.ofEpochMilli(epochMs.asLong()).toString();
  }

  private static String purchase(JsonNode p) {
    JsonNode items = p.has("items") ? p.get("items") : p.get("products");
    return p.path("purchaseId").asText()
        + "  "
        + time(p.path("purchaseTimeMs"))
        + "  "
        + p.path("channel").asText()
        + "  "
        + (items == null ? 0 : items.size())
        + (p.has("items") ? " items" : " products");
  }

  private static String request(JsonNode r) {
    return r.path("requestId").asText()
        + "  "
        + r.path("reason").asText()
        + "  requested "
        + time(r.path("requestedAtMs"))
        + "  lookback "
        + r.path("lookbackDays").asInt()
        + "d"
        + (r.path("force").asBoolean() ? "  force" : "");
  }
}
