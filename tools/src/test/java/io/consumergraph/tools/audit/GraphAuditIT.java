package io.consumergraph.tools.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.tools.ToolsMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** graph-audit through the tools jar's command line, against an in-process Neo4j. */
class GraphAuditIT {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static EmbeddedNeo4j neo4j;
  private static DefectGraph graph;

  @TempDir Path dir;

  @BeforeAll
  static void startNeo4j() {
    neo4j = EmbeddedNeo4j.start();
    graph = new DefectGraph(neo4j.driver());
  }

  @AfterAll
  static void stopNeo4j() {
    neo4j.close();
  }

  @BeforeEach
  void seed() {
    graph.seed(0);
  }

  /** One run of the tools jar's main command line. */
  record Run(int exitCode, String out, String err) {}

  static Run tools(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        ToolsMain.commandLine()
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static Run audit(String... more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "graph-audit",
                "--neo4j-uri",
                neo4j.boltUri().toString(),
                "--now",
                DefectGraph.NOW));
    args.addAll(List.of(more));
    return tools(args.toArray(String[]::new));
  }

  /** The expected count of every invariant on the seeded graph. */
  static final Map<String, Long> SEEDED_INVARIANTS =
      Map.ofEntries(
          Map.entry("purchased.without_receipt_ids", 0L),
          Map.entry("purchased.duplicate_receipt_ids", 2L),
          Map.entry("purchased.count_mismatch", 1L),
          Map.entry("purchased.misaligned_timestamps", 1L),
          Map.entry("purchased.last_mismatch", 1L),
          Map.entry("purchased.future_timestamps", 1L),
          Map.entry("shops_at.legacy_without_receipt_ids", 3L),
          Map.entry("shops_at.duplicate_receipt_ids", 1L),
          Map.entry("shops_at.count_mismatch", 0L),
          Map.entry("shops_at.misaligned_timestamps", 0L),
          Map.entry("shops_at.future_timestamps", 1L),
          Map.entry("shops_in.legacy_without_receipt_ids", 1L),
          Map.entry("shops_in.duplicate_receipt_ids", 0L),
          Map.entry("shops_in.count_mismatch", 1L),
          Map.entry("shops_in.misaligned_timestamps", 1L),
          Map.entry("shops_in.future_timestamps", 0L),
          Map.entry("users_awaiting_adoption", 2L),
          Map.entry("orphan_products", 1L),
          Map.entry("orphan_categories", 1L),
          Map.entry("orphan_retailers", 1L),
          Map.entry("orphan_users", 1L));

  static Map<String, Long> invariantCounts(JsonNode report) {
    Map<String, Long> counts = new HashMap<>();
    report
        .get("invariants")
        .forEach(i -> counts.put(i.get("name").asText(), i.get("count").asLong()));
    return counts;
  }

  static Map<String, List<String>> examples(JsonNode report) {
    Map<String, List<String>> all = new HashMap<>();
    report
        .get("invariants")
        .forEach(
            i -> {
              List<String> list = new ArrayList<>();
              i.get("examples").forEach(e -> list.add(e.asText()));
              all.put(i.get("name").asText(), list);
            });
    return all;
  }

  @Test
  void jsonReportCountsEveryDefectOfTheSeededGraphAndIsCritical() throws Exception {
    Run run = audit("--json");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    JsonNode report = JSON.readTree(run.out());

    assertThat(report.get("verdict").asText()).isEqualTo("CRITICAL");
    assertThat(invariantCounts(report)).containsExactlyInAnyOrderEntriesOf(SEEDED_INVARIANTS);
    Map<String, List<String>> examples = examples(report);
    assertThat(examples.get("purchased.duplicate_receipt_ids"))
        .containsExactlyInAnyOrder("u-dup -> p1", "u-dup -> p2");
    assertThat(examples.get("purchased.count_mismatch")).containsExactly("u-count -> p1");
    assertThat(examples.get("purchased.misaligned_timestamps")).containsExactly("u-mis -> p2");
    assertThat(examples.get("purchased.last_mismatch")).containsExactly("u-last -> p3");
    assertThat(examples.get("purchased.future_timestamps")).containsExactly("u-future -> p3");
    assertThat(examples.get("shops_at.duplicate_receipt_ids")).containsExactly("u-dup -> r1");
    assertThat(examples.get("shops_at.future_timestamps")).containsExactly("u-future -> r1");
    assertThat(examples.get("shops_at.legacy_without_receipt_ids"))
        .containsExactlyInAnyOrder("u-legacy -> r1", "u-legacy2 -> r1", "u-legacy2 -> r-adopted");
    assertThat(examples.get("shops_in.count_mismatch")).containsExactly("u-count -> c1");
    assertThat(examples.get("shops_in.misaligned_timestamps")).containsExactly("u-mis -> c1");
    assertThat(examples.get("users_awaiting_adoption"))
        .containsExactlyInAnyOrder("u-legacy", "u-legacy2");
    assertThat(examples.get("orphan_products")).containsExactly("p-orphan");
    assertThat(examples.get("orphan_categories")).containsExactly("c-orphan");
    assertThat(examples.get("orphan_retailers")).containsExactly("r-orphan");
    assertThat(examples.get("orphan_users")).containsExactly("u-orphan");
    assertThat(examples.get("shops_in.duplicate_receipt_ids")).isEmpty();

    JsonNode metrics = report.get("metrics");
    assertThat(metrics.get("nodes").asLong()).isEqualTo(19);
    assertThat(metrics.get("relationships").asLong()).isEqualTo(22);
    assertThat(metrics.get("users").asLong()).isEqualTo(10);
    assertThat(metrics.get("products").asLong()).isEqualTo(4);
    assertThat(metrics.get("products_with_category_id").asLong()).isEqualTo(2);
    assertThat(metrics.get("products_with_category_hierarchy").asLong()).isEqualTo(1);
    assertThat(metrics.get("in_category").asLong()).isEqualTo(2);
    assertThat(metrics.get("purchased").asLong()).isEqualTo(10);
    assertThat(metrics.get("shops_at").asLong()).isEqualTo(6);
    assertThat(metrics.get("shops_in").asLong()).isEqualTo(4);
    assertThat(metrics.get("future_timestamps").asLong()).isEqualTo(2);
    assertThat(metrics.get("duplicate_receipt_ids").asLong()).isEqualTo(3);
    assertThat(metrics.get("users_awaiting_adoption").asLong()).isEqualTo(2);
    assertThat(report.get("nodes_by_label").get("Category").asLong()).isEqualTo(2);
    assertThat(report.get("nodes_by_label").get("Retailer").asLong()).isEqualTo(3);
    assertThat(report.get("relationships_by_type").get("IN_CATEGORY").asLong()).isEqualTo(2);

    List<String> reasons = new ArrayList<>();
    report.get("reasons").forEach(r -> reasons.add(r.asText()));
    assertThat(reasons)
        .startsWith(
            "CRITICAL purchased.duplicate_receipt_ids: 2 PURCHASED edges with a receipt id more"
                + " than once")
        .contains(
            "CRITICAL shops_in.count_mismatch: 1 SHOPS_IN edges with purchase_count !="
                + " size(receipt_ids)",
            "WARN users_awaiting_adoption: 2 users with SHOPS_AT/SHOPS_IN counts without"
                + " receipt_ids (backfill them to adopt)")
        .hasSize(16);
    // every CRITICAL reason comes before every WARN one
    assertThat(reasons.subList(0, 7)).allMatch(r -> r.startsWith("CRITICAL "));
    assertThat(reasons.subList(7, 16)).allMatch(r -> r.startsWith("WARN "));
  }

  @Test
  void tableShowsTheVerdictMetricsAndInvariantsWithExamples() {
    Run run = audit();
    assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
    assertThat(run.out())
        .contains("Verdict: CRITICAL")
        .contains("Graph audit at ")
        .contains("(future means after 2026-06-01T00:00:00Z)")
        .containsPattern("\\nusers +10\\n")
        .containsPattern("\\nproducts_with_category_hierarchy +1\\n")
        .containsPattern("\\nnodes\\.User +10\\n")
        .containsPattern("\\nrelationships\\.PURCHASED +10\\n")
        .containsPattern("\\npurchased\\.last_mismatch +CRITICAL +1  u-last -> p3\\n")
        .containsPattern("\\norphan_users +WARN +1  u-orphan\\n")
        .containsPattern("\\nshops_in\\.duplicate_receipt_ids +CRITICAL +0\\n")
        .contains("  CRITICAL purchased.misaligned_timestamps: 1 PURCHASED edges with");
    System.out.println(run.out());
  }

  @Test
  void examplesAreCappedByTheFlag() throws Exception {
    JsonNode report = JSON.readTree(audit("--json", "--examples", "1").out());
    assertThat(examples(report).get("purchased.duplicate_receipt_ids")).hasSize(1);
    assertThat(invariantCounts(report).get("purchased.duplicate_receipt_ids")).isEqualTo(2);
  }

  @Test
  void cleanGraphIsHealthyAndExitsZero() {
    graph.run("MATCH (u:User) WHERE NOT u.user_id STARTS WITH 'u-clean' DETACH DELETE u", Map.of());
    graph.run(
        "MATCH (n) WHERE (n:Product OR n:Retailer OR n:Category)"
            + " AND NOT EXISTS { (n)<--(:User) } DETACH DELETE n",
        Map.of());
    Run run = audit();
    assertThat(run.exitCode()).as(run.out() + run.err()).isZero();
    assertThat(run.out()).contains("Verdict: HEALTHY");
  }

  @Test
  void warningsAloneGiveWarnAndExitOne() throws Exception {
    // drop every CRITICAL edge; legacy counts, orphans and future timestamps stay
    graph.run(
        "MATCH (u:User) WHERE u.user_id IN $ids DETACH DELETE u",
        Map.of("ids", List.of("u-dup", "u-count", "u-mis", "u-last")));
    Run run = audit("--json");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    JsonNode report = JSON.readTree(run.out());
    assertThat(report.get("verdict").asText()).isEqualTo("WARN");
    assertThat(report.get("reasons")).hasSize(9);
  }

  @Test
  void futureIsJudgedAgainstNow() throws Exception {
    JsonNode report =
        JSON.readTree(
            tools(
                    "graph-audit",
                    "--neo4j-uri",
                    neo4j.boltUri().toString(),
                    "--json",
                    "--now",
                    "2026-08-01T00:00:00Z")
                .out());
    assertThat(report.get("metrics").get("future_timestamps").asLong()).isZero();
  }

  @Test
  void outWritesABaselineAndCompareReportsTheRunbookDeltas() throws Exception {
    Path baseline = dir.resolve("audits/baseline.json");
    Run before = audit("--out", baseline.toString());
    assertThat(before.exitCode()).isEqualTo(2);
    assertThat(JSON.readTree(Files.readString(baseline)).get("metrics").get("users").asLong())
        .isEqualTo(10);

    // a backfill's effect: a new user with a new categorised product
    graph.rows(
        io.consumergraph.sink.neo4j.JobCypher.MERGE_USERS,
        List.of(Map.of("user_id", "u-new", "updated_at", DefectGraph.T6)));
    graph.rows(
        io.consumergraph.sink.neo4j.JobCypher.MERGE_PRODUCTS,
        List.of(DefectGraph.product("p-new", "c1", List.of("root", "c1"))));
    graph.rows(
        io.consumergraph.sink.neo4j.JobCypher.LINK_PRODUCT_CATEGORIES,
        List.of(Map.of("product_id", "p-new", "category_id", "c1")));
    graph.rows(
        io.consumergraph.sink.neo4j.JobCypher.MERGE_PURCHASED,
        List.of(DefectGraph.purchase("u-new", "p-new", List.of("n1"), List.of(DefectGraph.T5))));

    Run table = audit("--compare", baseline.toString());
    assertThat(table.exitCode()).as(table.err()).isEqualTo(2);
    assertThat(table.out())
        .contains("Compared with the baseline audited at ")
        .contains("(verdict CRITICAL -> CRITICAL)")
        .containsPattern("\\nusers +10 +11 +\\+1  matches the unique user ids")
        .containsPattern("\\nproducts_with_category_hierarchy +1 +2 +\\+1  tracks")
        .containsPattern("\\nin_category +2 +3 +\\+1  increases")
        .containsPattern("\\npurchased +10 +11 +\\+1  increases")
        .containsPattern("\\nfuture_timestamps +2 +2 +0  stays 0")
        .containsPattern("\\nnodes\\.Product +4 +5 +\\+1\\n");

    JsonNode json = JSON.readTree(audit("--json", "--compare", baseline.toString()).out());
    Map<String, long[]> rows = new HashMap<>();
    json.get("compare")
        .forEach(
            r ->
                rows.put(
                    r.get("metric").asText(),
                    new long[] {
                      r.get("before").asLong(), r.get("after").asLong(), r.get("delta").asLong()
                    }));
    assertThat(rows.get("users")).containsExactly(10, 11, 1);
    assertThat(rows.get("products")).containsExactly(4, 5, 1);
    assertThat(rows.get("products_with_category_id")).containsExactly(2, 3, 1);
    assertThat(rows.get("purchased")).containsExactly(10, 11, 1);
    assertThat(rows.get("relationships.IN_CATEGORY")).containsExactly(2, 3, 1);
    assertThat(rows.get("purchased.duplicate_receipt_ids")).containsExactly(2, 2, 0);
  }

  @Test
  void unreachableNeo4jExitsThreeWithAClearMessage() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Run run = tools("graph-audit", "--neo4j-uri", "bolt://127.0.0.1:" + port);
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).startsWith("error: cannot connect to Neo4j at bolt://127.0.0.1:" + port);
    assertThat(run.out()).isEmpty();
  }

  @Test
  void badCompareFileExitsThreeBeforeQuerying() throws Exception {
    Path missing = dir.resolve("missing.json");
    Run run = audit("--compare", missing.toString());
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("error: baseline " + missing + " does not exist");
    assertThat(run.out()).isEmpty();

    Path garbage = Files.writeString(dir.resolve("garbage.json"), "{not json");
    run = audit("--compare", garbage.toString());
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("is not JSON");

    Path other = Files.writeString(dir.resolve("other.json"), "{\"users\": 3}");
    run = audit("--compare", other.toString());
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).contains("is not a graph-audit JSON report");
  }

  @Test
  void badFlagsExitThree() {
    assertThat(audit("--now", "yesterday").exitCode()).isEqualTo(3);
    assertThat(audit("--examples", "many").exitCode()).isEqualTo(3);
    assertThat(audit("--no-such-flag").exitCode()).isEqualTo(3);
    Run noUri = tools("graph-audit");
    if (System.getenv("NEO4J_URI") == null) {
      assertThat(noUri.exitCode()).isEqualTo(3);
      assertThat(noUri.err()).contains("pass --neo4j-uri or set NEO4J_URI");
    }
  }
}
