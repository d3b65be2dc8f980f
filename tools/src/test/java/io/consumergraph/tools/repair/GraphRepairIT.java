package io.consumergraph.tools.repair;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.tools.ToolsMain;
import io.consumergraph.tools.audit.DefectGraph;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** graph-repair through the tools jar's command line, against an in-process Neo4j. */
class GraphRepairIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Extra duplicated PURCHASED edges, so the defects span many batches. */
  private static final int BULK = 23;

  private static EmbeddedNeo4j neo4j;
  private static DefectGraph graph;

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
    graph.seed(BULK);
  }

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

  static Run repair(String... more) {
    List<String> args =
        new ArrayList<>(List.of("graph-repair", "--neo4j-uri", neo4j.boltUri().toString()));
    args.addAll(List.of(more));
    return tools(args.toArray(String[]::new));
  }

  static JsonNode audit() throws Exception {
    Run run =
        tools(
            "graph-audit",
            "--neo4j-uri",
            neo4j.boltUri().toString(),
            "--now",
            DefectGraph.NOW,
            "--json");
    return JSON.readTree(run.out());
  }

  static Map<String, Long> counts(JsonNode report) {
    Map<String, Long> counts = new HashMap<>();
    report
        .get("invariants")
        .forEach(i -> counts.put(i.get("name").asText(), i.get("count").asLong()));
    return counts;
  }

  @Test
  void dryRunCountsWhatItWouldFixAndChangesNothing() throws Exception {
    Map<String, Map<String, Object>> before = graph.edges();
    Run run = repair("--dry-run");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.out())
        .contains("dry run: nothing is changed")
        // to repair, dup ids, count, last, misaligned, no ids, fixed
        .containsPattern("\\nPURCHASED +27 +25 +1 +1 +1 +- +0\\n")
        .containsPattern("\\nSHOPS_AT +1 +1 +0 +- +0 +2 +0\\n")
        .containsPattern("\\nSHOPS_IN +1 +0 +1 +- +1 +1 +0\\n")
        .contains("Would fix 29 edges; left 2 misaligned and 3 legacy edges");
    assertThat(graph.edges()).isEqualTo(before);
    assertThat(counts(audit()).get("purchased.duplicate_receipt_ids")).isEqualTo(2 + BULK);
  }

  @Test
  void repairInSmallBatchesFixesExactlyTheRepairableDefects() throws Exception {
    Map<String, Map<String, Object>> before = graph.edges();
    Run run = repair("--batch-size", "4");
    assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
    assertThat(run.out())
        .contains("batches of at most 4 edges")
        .containsPattern("\\nPURCHASED +27 +25 +1 +1 +1 +- +27\\n")
        .contains("Fixed 29 edges; left 2 misaligned and 3 legacy edges");

    Map<String, Map<String, Object>> after = graph.edges();
    // each repaired edge is now what the job itself writes for the same purchases
    assertThat(after.get("u-dup|PURCHASED|p1")).isEqualTo(after.get("u-clean1|PURCHASED|p1"));
    assertThat(after.get("u-dup|PURCHASED|p2")).isEqualTo(after.get("u-clean1|PURCHASED|p2"));
    assertThat(after.get("u-count|PURCHASED|p1")).isEqualTo(after.get("u-clean2|PURCHASED|p1"));
    assertThat(after.get("u-last|PURCHASED|p3")).isEqualTo(after.get("u-clean2|PURCHASED|p3"));
    assertThat(after.get("u-dup|SHOPS_AT|r1")).isEqualTo(after.get("u-clean1|SHOPS_AT|r1"));
    assertThat(after.get("u-count|SHOPS_IN|c1").get("purchase_count")).isEqualTo(1L);
    // a bulk edge [a, a, b] at [T1, T3, T2]: the first a keeps T1, b keeps T2
    assertThat(after.get("u-bulk-7|PURCHASED|p1")).isEqualTo(after.get("u-clean1|PURCHASED|p1"));
    assertThat(after.get("u-dup|PURCHASED|p1").get("times")).isEqualTo(2L);
    assertThat((Double) after.get("u-dup|PURCHASED|p2").get("repurchase_likelihood"))
        .isEqualTo(0.5);

    // untouched: clean edges, misaligned edges, legacy counts, everything else
    for (String key :
        List.of(
            "u-clean1|PURCHASED|p1",
            "u-mis|PURCHASED|p2",
            "u-mis|SHOPS_IN|c1",
            "u-legacy|SHOPS_AT|r1",
            "u-legacy|SHOPS_IN|c1",
            "u-legacy2|SHOPS_AT|r1",
            "u-future|PURCHASED|p3",
            "p1|IN_CATEGORY|c1")) {
      assertThat(after.get(key)).as(key).isEqualTo(before.get(key));
    }
    assertThat(after.keySet()).isEqualTo(before.keySet());

    JsonNode report = audit();
    Map<String, Long> counts = counts(report);
    assertThat(counts)
        .containsEntry("purchased.duplicate_receipt_ids", 0L)
        .containsEntry("purchased.count_mismatch", 0L)
        .containsEntry("purchased.last_mismatch", 0L)
        .containsEntry("shops_at.duplicate_receipt_ids", 0L)
        .containsEntry("shops_in.count_mismatch", 0L)
        .containsEntry("purchased.misaligned_timestamps", 1L)
        .containsEntry("shops_in.misaligned_timestamps", 1L)
        .containsEntry("shops_at.legacy_without_receipt_ids", 3L)
        .containsEntry("users_awaiting_adoption", 2L);
    List<String> critical = new ArrayList<>();
    report
        .get("reasons")
        .forEach(
            r -> {
              if (r.asText().startsWith("CRITICAL")) {
                critical.add(r.asText().split(":")[0]);
              }
            });
    assertThat(critical)
        .containsExactly(
            "CRITICAL purchased.misaligned_timestamps", "CRITICAL shops_in.misaligned_timestamps");

    // without the edges repair cannot fix, what is left are the WARNs
    graph.run("MATCH (:User {user_id: 'u-mis'})-[r]->() DELETE r", Map.of());
    JsonNode rest = audit();
    assertThat(rest.get("verdict").asText()).isEqualTo("WARN");
    assertThat(rest.get("reasons").toString()).doesNotContain("CRITICAL");
  }

  @Test
  void secondRunFixesNothing() {
    assertThat(repair("--batch-size", "3").exitCode()).isEqualTo(1);
    Map<String, Map<String, Object>> once = graph.edges();
    Run again = repair();
    assertThat(again.out())
        .containsPattern("\\nPURCHASED +0 +0 +0 +0 +1 +- +0\\n")
        .contains("Fixed 0 edges");
    assertThat(graph.edges()).isEqualTo(once);
  }

  @Test
  void graphWithoutAnyEdgesHasNothingToRepair() {
    graph.run("MATCH (n) DETACH DELETE n", Map.of());
    Run run = repair();
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .containsPattern("\\nSHOPS_AT +0 +0 +0 +- +0 +0 +0\\n")
        .contains("Fixed 0 edges; left 0 misaligned and 0 legacy edges");
  }

  @Test
  void unreachableNeo4jOrBadBatchSizeExitsThree() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Run run = tools("graph-repair", "--neo4j-uri", "bolt://127.0.0.1:" + port, "--dry-run");
    assertThat(run.exitCode()).isEqualTo(3);
    assertThat(run.err()).startsWith("error: cannot connect to Neo4j at bolt://127.0.0.1:" + port);

    Run zero = repair("--batch-size", "0");
    assertThat(zero.exitCode()).isEqualTo(3);
    assertThat(zero.err()).contains("--batch-size must be 1..100000");
    assertThat(repair("--batch-size", "x").exitCode()).isEqualTo(3);
  }
}
