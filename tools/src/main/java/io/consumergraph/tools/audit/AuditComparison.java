package io.consumergraph.tools.audit;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The runbook's post-backfill check: every figure of a baseline audit against the current one. The
 * runbook's metrics come first, with what it expects of them after a backfill.
 */
public final class AuditComparison {

  /** One figure before and after; a side is null when that audit did not have it. */
  public record Row(String metric, Long before, Long after, String expectation) {
    public Long delta() {
      return before == null || after == null ? null : after - before;
    }
  }

  /** What the backfill runbook says to check for each of its metrics. */
  static final Map<String, String> RUNBOOK =
      Map.ofEntries(
          Map.entry("users", "matches the unique user ids of the backfill file"),
          Map.entry("products", "increases"),
          Map.entry("products_with_category_id", "increases (FPS knows ~47% of products)"),
          Map.entry("products_with_category_hierarchy", "tracks products_with_category_id"),
          Map.entry("in_category", "increases with the new products"),
          Map.entry("purchased", "increases"),
          Map.entry("future_timestamps", "stays 0"),
          Map.entry("duplicate_receipt_ids", "stays 0"),
          Map.entry("users_awaiting_adoption", "decreases (backfilled users are adopted)"));

  private AuditComparison() {}

  public static List<Row> rows(Map<String, Long> before, Map<String, Long> after) {
    Set<String> names = new LinkedHashSet<>(after.keySet());
    names.addAll(before.keySet());
    List<Row> rows = new ArrayList<>();
    for (String name : names) {
      rows.add(new Row(name, before.get(name), after.get(name), RUNBOOK.getOrDefault(name, "")));
    }
    return rows;
  }
}
