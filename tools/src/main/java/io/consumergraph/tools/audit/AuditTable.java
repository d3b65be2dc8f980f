package io.consumergraph.tools.audit;

import java.util.List;
import java.util.Map;

/** The audit as a readable table, the default output. */
public final class AuditTable {

  private AuditTable() {}

  public static String render(
      AuditReport report, AuditJson.Baseline baseline, List<AuditComparison.Row> comparison) {
    StringBuilder out = new StringBuilder();
    line(out, "Graph audit at %s (future means after %s)", report.auditedAt(), report.now());
    line(out, "Verdict: %s", report.verdict());
    for (String reason : report.reasons()) {
      line(out, "  %s", reason);
    }
    out.append('\n');
    line(out, "%-36s %12s", "Metric", "Value");
    figures(out, report.metrics(), "");
    figures(out, report.nodesByLabel(), "nodes.");
    figures(out, report.relationshipsByType(), "relationships.");
    out.append('\n');
    line(out, "%-44s %-8s %10s  %s", "Invariant", "Severity", "Count", "Examples");
    for (InvariantResult i : report.invariants()) {
      line(
          out,
          "%-44s %-8s %10d  %s",
          i.name(),
          i.severity(),
          i.count(),
          String.join(", ", i.examples()));
    }
    if (comparison != null) {
      out.append('\n');
      line(
          out,
          "Compared with the baseline audited at %s (verdict %s -> %s)",
          baseline.auditedAt(),
          baseline.verdict(),
          report.verdict());
      line(out, "%-44s %10s %10s %10s  %s", "Metric", "Before", "After", "Delta", "Runbook");
      for (AuditComparison.Row row : comparison) {
        line(
            out,
            "%-44s %10s %10s %10s  %s",
            row.metric(),
            orDash(row.before()),
            orDash(row.after()),
            row.delta() == null ? "-" : signed(row.delta()),
            row.expectation());
      }
    }
    return out.toString();
  }

  private static void figures(StringBuilder out, Map<String, Long> figures, String prefix) {
    figures.forEach((name, n) -> line(out, "%-36s %12d", prefix + name, n));
  }

  private static String orDash(Long n) {
    return n == null ? "-" : Long.toString(n);
  }

  private static String signed(long n) {
    return n > 0 ? "+" + n : Long.toString(n);
  }

  private static void line(StringBuilder out, String format, Object... args) {
    out.append(String.format(java.util.Locale.ROOT, format, args).stripTrailing()).append('\n');
  }
}
