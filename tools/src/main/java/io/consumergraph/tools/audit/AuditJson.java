package io.consumergraph.tools.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The audit's JSON form: what {@code --json} prints and {@code --out} writes as a baseline. */
public final class AuditJson {

  /** Bumped when a field changes meaning; {@code --compare} reads this format. */
  public static final int FORMAT = 1;

  private static final ObjectMapper MAPPER =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private AuditJson() {}

  /** A baseline read back: when it was taken, its verdict and every figure by flat name. */
  public record Baseline(String auditedAt, String verdict, Map<String, Long> figures) {}

  /** A {@code --compare} file that is missing or not an audit's JSON. */
  public static final class BadBaselineException extends Exception {
    BadBaselineException(String message) {
      super(message);
    }
  }

  public static ObjectNode tree(AuditReport report, List<AuditComparison.Row> comparison) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format", FORMAT);
    root.put("audited_at", report.auditedAt().toString());
    root.put("now", report.now().toString());
    root.put("verdict", report.verdict().name());
    ArrayNode reasons = root.putArray("reasons");
    report.reasons().forEach(reasons::add);
    ObjectNode metrics = root.putObject("metrics");
    report.metrics().forEach(metrics::put);
    ObjectNode labels = root.putObject("nodes_by_label");
    report.nodesByLabel().forEach(labels::put);
    ObjectNode types = root.putObject("relationships_by_type");
    report.relationshipsByType().forEach(types::put);
    ArrayNode invariants = root.putArray("invariants");
    for (InvariantResult i : report.invariants()) {
      ObjectNode node = invariants.addObject();
      node.put("name", i.name());
      node.put("severity", i.severity().name());
      node.put("description", i.description());
      node.put("count", i.count());
      ArrayNode examples = node.putArray("examples");
      i.examples().forEach(examples::add);
    }
    if (comparison != null) {
      ArrayNode rows = root.putArray("compare");
      for (AuditComparison.Row row : comparison) {
        ObjectNode node = rows.addObject();
        node.put("metric", row.metric());
        putNullable(node, "before", row.before());
        putNullable(node, "after", row.after());
        putNullable(node, "delta", row.delta());
      }
    }
    return root;
  }

  private static void putNullable(ObjectNode node, String field, Long value) {
    if (value == null) {
      node.putNull(field);
    } else {
      node.put(field, value);
    }
  }

  public static String write(AuditReport report, List<AuditComparison.Row> comparison) {
    try {
      return MAPPER.writeValueAsString(tree(report, comparison)) + System.lineSeparator();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Reads a baseline written by {@code --out} (or captured from {@code --json}). */
  public static Baseline read(Path file) throws BadBaselineException {
    JsonNode root;
    try {
      root = MAPPER.readTree(Files.readString(file));
    } catch (NoSuchFileException e) {
      throw new BadBaselineException("baseline " + file + " does not exist");
    } catch (IOException e) {
      throw new BadBaselineException(
          "baseline " + file + " is not JSON: " + firstLine(e.getMessage()));
    }
    if (root == null || !root.isObject() || !root.path("metrics").isObject()) {
      throw new BadBaselineException(
          "baseline " + file + " is not a graph-audit JSON report (no \"metrics\" object)");
    }
    if (root.path("format").asInt(-1) != FORMAT) {
      throw new BadBaselineException(
          "baseline " + file + " has format " + root.path("format") + ", expected " + FORMAT);
    }
    Map<String, Long> figures = new LinkedHashMap<>();
    numbers(file, root.path("metrics"), "", figures);
    numbers(file, root.path("nodes_by_label"), "nodes.", figures);
    numbers(file, root.path("relationships_by_type"), "relationships.", figures);
    for (JsonNode i : root.path("invariants")) {
      if (!i.path("name").isTextual() || !i.path("count").canConvertToLong()) {
        throw new BadBaselineException(
            "baseline " + file + " has an invariant without a name and count: " + i);
      }
      figures.put(i.get("name").asText(), i.get("count").asLong());
    }
    return new Baseline(
        root.path("audited_at").asText("?"), root.path("verdict").asText("?"), figures);
  }

  private static void numbers(Path file, JsonNode object, String prefix, Map<String, Long> into)
      throws BadBaselineException {
    Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().canConvertToLong() || !field.getValue().isIntegralNumber()) {
        throw new BadBaselineException(
            "baseline " + file + ": " + prefix + field.getKey() + " is not a count");
      }
      into.put(prefix + field.getKey(), field.getValue().asLong());
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
