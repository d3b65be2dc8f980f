package io.consumergraph.job.inspect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Totals per operator and state of a snapshot: keys (users) with state, entries, approximate bytes
 * ({@link KeyedStateScan} says how they are measured), as a table or as JSON.
 */
final class StateTotals {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The totals of one state; {@code keys} is 0 for broadcast state, which has no user keys. */
  record Total(String operator, String state, long keys, long entries, long bytes) {}

  private final Snapshot snapshot;
  private final Map<String, long[]> byState = new LinkedHashMap<>();
  private final Set<String> broadcastKeys = new HashSet<>();
  private final Set<String> users = new HashSet<>();

  StateTotals(Snapshot snapshot) {
    this.snapshot = snapshot;
    for (JobStates.Operator operator : snapshot.operators()) {
      for (StateSpec spec : operator.states()) {
        byState.put(operator.uid() + "/" + spec.name(), new long[3]);
      }
      if (operator == JobStates.USER_GATE) {
        byState.put(operator.uid() + "/" + JobStates.FLAG_SNAPSHOT, new long[3]);
      }
    }
  }

  void add(StateRow row) {
    long[] t = byState.computeIfAbsent(row.operator() + "/" + row.state(), k -> new long[3]);
    if (row.broadcast()) {
      // Every subtask holds a copy of broadcast state: count each entry once.
      if (broadcastKeys.add(row.operator() + "/" + row.state() + "/" + row.key())) {
        t[1] += row.entries();
        t[2] += row.bytes();
      }
      return;
    }
    users.add(row.key());
    t[0]++;
    t[1] += row.entries();
    t[2] += row.bytes();
  }

  List<Total> totals() {
    List<Total> totals = new ArrayList<>();
    byState.forEach(
        (name, t) -> {
          int slash = name.indexOf('/');
          totals.add(
              new Total(name.substring(0, slash), name.substring(slash + 1), t[0], t[1], t[2]));
        });
    return totals;
  }

  private boolean ttl(Total t) {
    return JobStates.operator(t.operator()).map(o -> snapshot.hasTtl(o, t.state())).orElse(false);
  }

  /** Distinct users with keyed state in any operator. */
  long users() {
    return users.size();
  }

  String table() {
    StringBuilder out = new StringBuilder();
    out.append(snapshot.kind())
        .append(' ')
        .append(snapshot.directory())
        .append(" (checkpoint id ")
        .append(snapshot.checkpointId())
        .append(")\n\n");
    TextTable table = new TextTable("OPERATOR", "STATE", "TTL", "KEYS>", "ENTRIES>", "BYTES>");
    String previous = null;
    long entries = 0;
    long bytes = 0;
    for (Total t : totals()) {
      boolean broadcast = t.state().equals(JobStates.FLAG_SNAPSHOT);
      table.row(
          t.operator().equals(previous) ? "" : t.operator(),
          broadcast ? t.state() + " (broadcast)" : t.state(),
          ttl(t) ? "yes" : "",
          broadcast ? "-" : t.keys(),
          t.entries(),
          t.bytes());
      previous = t.operator();
      entries += t.entries();
      bytes += t.bytes();
    }
    table.row("total", users() + " users", "", "", entries, bytes);
    out.append(table);
    for (String uid : snapshot.absent()) {
      out.append(uid).append(": not in this snapshot\n");
    }
    for (String state : snapshot.unknownStates()) {
      out.append(state).append(": not read (a state this tool does not know)\n");
    }
    out.append(
        "\nTTL: written with a TTL (entries are shown whether expired or not). bytes: serialized"
            + " size of user ids,\nmap keys and values with the states' own serializers; without"
            + " TTL timestamps, RocksDB overhead or compression.\n");
    return out.toString();
  }

  String json() throws JsonProcessingException {
    ObjectNode root = JSON.createObjectNode();
    root.put("snapshot", snapshot.directory().toString());
    root.put("kind", snapshot.kind());
    root.put("checkpointId", snapshot.checkpointId());
    ArrayNode states = root.putArray("states");
    long entries = 0;
    long bytes = 0;
    for (Total t : totals()) {
      ObjectNode s = states.addObject();
      s.put("operator", t.operator());
      s.put("state", t.state());
      s.put("broadcast", t.state().equals(JobStates.FLAG_SNAPSHOT));
      s.put("ttl", ttl(t));
      s.put("keys", t.keys());
      s.put("entries", t.entries());
      s.put("bytes", t.bytes());
      entries += t.entries();
      bytes += t.bytes();
    }
    ObjectNode total = root.putObject("total");
    total.put("users", users());
    total.put("entries", entries);
    total.put("bytes", bytes);
    root.putPOJO("absentOperators", snapshot.absent());
    root.putPOJO("unknownStates", snapshot.unknownStates());
    return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
  }
}
