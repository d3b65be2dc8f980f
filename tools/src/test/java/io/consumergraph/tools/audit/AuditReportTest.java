package io.consumergraph.tools.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verdict rule and the JSON baseline, without a graph. */
class AuditReportTest {

  private static final Instant AT = Instant.parse("2026-05-01T00:00:00Z");

  private static InvariantResult broken(String name, Severity severity, long n) {
    return new InvariantResult(name, severity, "things", n, n == 0 ? List.of() : List.of("x"));
  }

  private static AuditReport report(InvariantResult... invariants) {
    return AuditReport.of(
        AT,
        AT,
        Map.of("users", 3L),
        Map.of("User", 3L),
        Map.of("PURCHASED", 2L),
        List.of(invariants));
  }

  @Test
  void verdictIsTheWorstSeverityBrokenAndReasonsListCriticalFirst() {
    assertThat(report(broken("a", Severity.CRITICAL, 0), broken("b", Severity.WARN, 0)).verdict())
        .isEqualTo(Verdict.HEALTHY);
    AuditReport warn = report(broken("a", Severity.CRITICAL, 0), broken("b", Severity.WARN, 4));
    assertThat(warn.verdict()).isEqualTo(Verdict.WARN);
    assertThat(warn.reasons()).containsExactly("WARN b: 4 things");
    AuditReport critical = report(broken("w", Severity.WARN, 1), broken("c", Severity.CRITICAL, 2));
    assertThat(critical.verdict()).isEqualTo(Verdict.CRITICAL);
    assertThat(critical.reasons()).containsExactly("CRITICAL c: 2 things", "WARN w: 1 things");
    assertThat(List.of(Verdict.HEALTHY, Verdict.WARN, Verdict.CRITICAL))
        .extracting(Verdict::exitCode)
        .containsExactly(0, 1, 2);
  }

  @Test
  void baselineReadsBackEveryFigure(@TempDir Path dir) throws Exception {
    AuditReport report = report(broken("purchased.count_mismatch", Severity.CRITICAL, 2));
    Path file = Files.writeString(dir.resolve("b.json"), AuditJson.write(report, null));
    AuditJson.Baseline baseline = AuditJson.read(file);
    assertThat(baseline.verdict()).isEqualTo("CRITICAL");
    assertThat(baseline.figures())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "users", 3L,
                "nodes.User", 3L,
                "relationships.PURCHASED", 2L,
                "purchased.count_mismatch", 2L));
    assertThat(baseline.figures()).isEqualTo(report.figures());
  }

  @Test
  void comparisonRowsHaveDeltasAndDashesForFiguresOnOneSideOnly() {
    List<AuditComparison.Row> rows =
        AuditComparison.rows(Map.of("users", 10L, "gone", 1L), Map.of("users", 12L, "new", 5L));
    assertThat(rows)
        .extracting(AuditComparison.Row::metric, AuditComparison.Row::delta)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("users", 2L),
            org.assertj.core.groups.Tuple.tuple("new", null),
            org.assertj.core.groups.Tuple.tuple("gone", null));
  }

  @Test
  void baselineOfAnotherFormatOrWithTextCountsIsRefused(@TempDir Path dir) throws Exception {
    Path future = Files.writeString(dir.resolve("f.json"), "{\"format\": 9, \"metrics\": {}}");
    assertThatThrownBy(() -> AuditJson.read(future))
        .isInstanceOf(AuditJson.BadBaselineException.class)
        .hasMessageContaining("has format 9, expected 1");
    Path text =
        Files.writeString(
            dir.resolve("t.json"), "{\"format\": 1, \"metrics\": {\"users\": \"x\"}}");
    assertThatThrownBy(() -> AuditJson.read(text)).hasMessageContaining("users is not a count");
  }
}
