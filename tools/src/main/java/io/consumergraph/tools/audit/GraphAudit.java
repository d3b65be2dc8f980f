package io.consumergraph.tools.audit;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.neo4j.driver.AccessMode;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Query;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.TransactionConfig;

/**
 * Runs the audit against a graph: every query is one server-side aggregate in a read-only
 * transaction (edges are never pulled to the client), and examples are fetched with {@code LIMIT}
 * only for invariants that are broken.
 */
public final class GraphAudit {

  /** One edge check: its name suffix, predicate, severity and what a count of it means. */
  private record EdgeCheck(String suffix, String predicate, Severity severity, String what) {}

  /** One node check: its name, the MATCH ... WHERE that finds the nodes, and the id property. */
  private record NodeCheck(
      String name, String match, String id, Severity severity, String description) {}

  private static final TransactionConfig TX =
      TransactionConfig.builder().withMetadata(Map.of("app", "consumer-graph-audit")).build();

  static final String NODES_BY_LABEL =
      "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label";
  static final String NODES = "MATCH (n) RETURN count(n) AS n";
  static final String RELATIONSHIPS_BY_TYPE =
      "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type";
  static final String PRODUCTS_WITH_CATEGORY_ID =
      "MATCH (p:Product) WHERE p.category_id IS NOT NULL AND p.category_id <> ''"
          + " RETURN count(p) AS n";
  static final String PRODUCTS_WITH_CATEGORY_HIERARCHY =
      "MATCH (p:Product) WHERE p.category_hierarchy IS NOT NULL"
          + " AND size(p.category_hierarchy) > 0 RETURN count(p) AS n";

  private static final List<NodeCheck> NODE_CHECKS =
      List.of(
          new NodeCheck(
              "users_awaiting_adoption",
              "MATCH (x:User) WHERE EXISTS { (x)-[r:SHOPS_AT|SHOPS_IN]->()"
                  + " WHERE r.receipt_ids IS NULL OR r.legacy_count IS NOT NULL }",
              "user_id",
              Severity.WARN,
              "users with SHOPS_AT/SHOPS_IN counts without receipt_ids (backfill them to adopt)"),
          new NodeCheck(
              "orphan_products",
              "MATCH (x:Product) WHERE NOT EXISTS { (x)<-[:PURCHASED]-() }",
              "product_id",
              Severity.WARN,
              "products without any PURCHASED"),
          new NodeCheck(
              "orphan_categories",
              "MATCH (x:Category) WHERE NOT EXISTS { (x)--() }",
              "category_id",
              Severity.WARN,
              "categories without any relationship"),
          new NodeCheck(
              "orphan_retailers",
              "MATCH (x:Retailer) WHERE NOT EXISTS { (x)--() }",
              "retailer_id",
              Severity.WARN,
              "retailers without any relationship"),
          new NodeCheck(
              "orphan_users",
              "MATCH (x:User) WHERE NOT EXISTS { (x)--() }",
              "user_id",
              Severity.WARN,
              "users without any relationship"));

  private final Driver driver;
  private final int maxExamples;
  private final Clock clock;

  public GraphAudit(Driver driver, int maxExamples, Clock clock) {
    this.driver = driver;
    this.maxExamples = maxExamples;
    this.clock = clock;
  }

  /** Audits the graph, treating timestamps after {@code now} as in the future. */
  public AuditReport run(Instant now) {
    Instant auditedAt = clock.instant();
    Map<String, Long> nodesByLabel = counts(NODES_BY_LABEL, "label");
    Map<String, Long> relationshipsByType = counts(RELATIONSHIPS_BY_TYPE, "type");
    List<InvariantResult> invariants = new ArrayList<>();
    for (EdgeKind kind : EdgeKind.values()) {
      invariants.addAll(edgeInvariants(kind, now));
    }
    for (NodeCheck check : NODE_CHECKS) {
      invariants.add(nodeInvariant(check));
    }

    Map<String, Long> metrics = new LinkedHashMap<>();
    metrics.put("nodes", single(NODES, Map.of()));
    metrics.put("relationships", relationshipsByType.values().stream().mapToLong(n -> n).sum());
    metrics.put("users", nodesByLabel.getOrDefault("User", 0L));
    metrics.put("products", nodesByLabel.getOrDefault("Product", 0L));
    metrics.put("retailers", nodesByLabel.getOrDefault("Retailer", 0L));
    metrics.put("categories", nodesByLabel.getOrDefault("Category", 0L));
    metrics.put("products_with_category_id", single(PRODUCTS_WITH_CATEGORY_ID, Map.of()));
    metrics.put(
        "products_with_category_hierarchy", single(PRODUCTS_WITH_CATEGORY_HIERARCHY, Map.of()));
    metrics.put("in_category", relationshipsByType.getOrDefault("IN_CATEGORY", 0L));
    metrics.put("purchased", relationshipsByType.getOrDefault("PURCHASED", 0L));
    metrics.put("shops_at", relationshipsByType.getOrDefault("SHOPS_AT", 0L));
    metrics.put("shops_in", relationshipsByType.getOrDefault("SHOPS_IN", 0L));
    metrics.put("future_timestamps", sumOf(invariants, "future_timestamps"));
    metrics.put("duplicate_receipt_ids", sumOf(invariants, "duplicate_receipt_ids"));
    metrics.put(
        "users_awaiting_adoption",
        invariants.stream()
            .filter(i -> i.name().equals("users_awaiting_adoption"))
            .mapToLong(InvariantResult::count)
            .sum());
    return AuditReport.of(auditedAt, now, metrics, nodesByLabel, relationshipsByType, invariants);
  }

  private static long sumOf(List<InvariantResult> invariants, String suffix) {
    return invariants.stream()
        .filter(i -> i.name().endsWith("." + suffix))
        .mapToLong(InvariantResult::count)
        .sum();
  }

  private static List<EdgeCheck> edgeChecks(EdgeKind kind) {
    String type = kind.name();
    List<EdgeCheck> checks = new ArrayList<>();
    if (kind.isPurchase()) {
      checks.add(
          new EdgeCheck(
              "without_receipt_ids",
              EdgeCypher.NO_IDS,
              Severity.CRITICAL,
              type + " edges without receipt_ids"));
    } else {
      checks.add(
          new EdgeCheck(
              "legacy_without_receipt_ids",
              EdgeCypher.AWAITING_ADOPTION,
              Severity.WARN,
              type
                  + " edges with a legacy count, no receipt_ids or a legacy_count (awaiting"
                  + " adoption)"));
    }
    checks.add(
        new EdgeCheck(
            "duplicate_receipt_ids",
            EdgeCypher.DUPLICATE_IDS,
            Severity.CRITICAL,
            type + " edges with a receipt id more than once"));
    checks.add(
        new EdgeCheck(
            "count_mismatch",
            EdgeCypher.COUNT_MISMATCH,
            Severity.CRITICAL,
            type + " edges with " + kind.countProperty() + " != size(receipt_ids)"));
    checks.add(
        new EdgeCheck(
            "misaligned_timestamps",
            EdgeCypher.MISALIGNED,
            Severity.CRITICAL,
            type + " edges with size(timestamps) != size(receipt_ids)"));
    if (kind.isPurchase()) {
      checks.add(
          new EdgeCheck(
              "last_mismatch",
              EdgeCypher.LAST_MISMATCH,
              Severity.CRITICAL,
              type + " edges with last != max(timestamps)"));
    }
    checks.add(
        new EdgeCheck(
            "future_timestamps",
            EdgeCypher.future(kind),
            Severity.WARN,
            type + " edges with a timestamp in the future"));
    return checks;
  }

  /** One scan of the kind's edges counts every check; examples only for those broken. */
  private List<InvariantResult> edgeInvariants(EdgeKind kind, Instant now) {
    List<EdgeCheck> checks = edgeChecks(kind);
    StringBuilder count =
        new StringBuilder("MATCH ()-[r:")
            .append(kind.name())
            .append("]->() ")
            .append(EdgeCypher.project(kind, ""))
            .append(" RETURN count(*) AS edges");
    for (int i = 0; i < checks.size(); i++) {
      count.append(", count(CASE WHEN ").append(checks.get(i).predicate()).append(" THEN 1 END)");
      count.append(" AS c").append(i);
    }
    Map<String, Object> params = Map.of("now", nowParameter(kind, now));
    Record counts = read(new Query(count.toString(), params)).get(0);
    List<InvariantResult> results = new ArrayList<>();
    for (int i = 0; i < checks.size(); i++) {
      EdgeCheck check = checks.get(i);
      long n = counts.get("c" + i).asLong();
      List<String> examples = n == 0 ? List.of() : edgeExamples(kind, check.predicate(), params);
      results.add(
          new InvariantResult(
              kind.key() + "." + check.suffix(), check.severity(), check.what(), n, examples));
    }
    return results;
  }

  private List<String> edgeExamples(EdgeKind kind, String predicate, Map<String, Object> params) {
    String query =
        "MATCH (a)-[r:"
            + kind.name()
            + "]->(b) "
            + EdgeCypher.project(kind, "a, b")
            + " WHERE "
            + predicate
            + " RETURN a.user_id AS from, b."
            + kind.targetKey()
            + " AS to LIMIT $limit";
    Map<String, Object> all = new LinkedHashMap<>(params);
    all.put("limit", maxExamples);
    return read(new Query(query, all)).stream()
        .map(r -> text(r.get("from")) + " -> " + text(r.get("to")))
        .toList();
  }

  private InvariantResult nodeInvariant(NodeCheck check) {
    long n = single(check.match() + " RETURN count(x) AS n", Map.of());
    List<String> examples =
        n == 0
            ? List.of()
            : read(
                    new Query(
                        check.match() + " RETURN x." + check.id() + " AS id LIMIT $limit",
                        Map.of("limit", maxExamples)))
                .stream()
                .map(r -> text(r.get("id")))
                .toList();
    return new InvariantResult(check.name(), check.severity(), check.description(), n, examples);
  }

  /** PURCHASED timestamps are datetimes; SHOPS_AT/SHOPS_IN keep epoch milliseconds. */
  private static Object nowParameter(EdgeKind kind, Instant now) {
    return kind.isPurchase() ? now.atZone(ZoneOffset.UTC) : now.toEpochMilli();
  }

  private static String text(org.neo4j.driver.Value value) {
    return value.isNull() ? "(none)" : value.asObject().toString();
  }

  private Map<String, Long> counts(String query, String key) {
    Map<String, Long> counts = new TreeMap<>();
    for (Record r : read(new Query(query))) {
      counts.put(r.get(key).asString(), r.get("n").asLong());
    }
    return counts;
  }

  private long single(String query, Map<String, Object> params) {
    return read(new Query(query, params)).get(0).get("n").asLong();
  }

  private List<Record> read(Query query) {
    try (Session session =
        driver.session(SessionConfig.builder().withDefaultAccessMode(AccessMode.READ).build())) {
      return session.executeRead(tx -> tx.run(query).list(), TX);
    }
  }
}
