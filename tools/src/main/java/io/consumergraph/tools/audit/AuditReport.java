package io.consumergraph.tools.audit;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one audit found: the runbook's metrics, node and relationship counts, every invariant, and
 * the verdict with its reasons (one per broken invariant, worst first).
 */
public record AuditReport(
    Instant auditedAt,
    Instant now,
    Verdict verdict,
    List<String> reasons,
    Map<String, Long> metrics,
    Map<String, Long> nodesByLabel,
    Map<String, Long> relationshipsByType,
    List<InvariantResult> invariants) {

  public AuditReport {
    reasons = List.copyOf(reasons);
    metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    nodesByLabel = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(nodesByLabel));
    relationshipsByType =
        java.util.Collections.unmodifiableMap(new LinkedHashMap<>(relationshipsByType));
    invariants = List.copyOf(invariants);
  }

  /** Builds the report, deriving the verdict and reasons from the invariants. */
  static AuditReport of(
      Instant auditedAt,
      Instant now,
      Map<String, Long> metrics,
      Map<String, Long> nodesByLabel,
      Map<String, Long> relationshipsByType,
      List<InvariantResult> invariants) {
    Verdict verdict = Verdict.HEALTHY;
    List<String> reasons = new java.util.ArrayList<>();
    for (Severity severity : List.of(Severity.CRITICAL, Severity.WARN)) {
      for (InvariantResult result : invariants) {
        if (result.broken() && result.severity() == severity) {
          reasons.add(result.reason());
          if (verdict == Verdict.HEALTHY) {
            verdict = Verdict.of(severity);
          }
        }
      }
    }
    return new AuditReport(
        auditedAt, now, verdict, reasons, metrics, nodesByLabel, relationshipsByType, invariants);
  }

  /** The invariant of that name; throws for an unknown name. */
  public InvariantResult invariant(String name) {
    return invariants.stream()
        .filter(i -> i.name().equals(name))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no invariant " + name));
  }

  /**
   * Every number of the report by one flat name, as {@code --compare} lines them up: the metrics,
   * {@code nodes.<Label>}, {@code relationships.<TYPE>} and each invariant's count.
   */
  public Map<String, Long> figures() {
    Map<String, Long> all = new LinkedHashMap<>(metrics);
    nodesByLabel.forEach((label, n) -> all.put("nodes." + label, n));
    relationshipsByType.forEach((type, n) -> all.put("relationships." + type, n));
    invariants.forEach(i -> all.put(i.name(), i.count()));
    return all;
  }
}
