package io.consumergraph.tools.repair;

import io.consumergraph.tools.audit.EdgeCypher;
import io.consumergraph.tools.audit.EdgeKind;

/**
 * The Cypher of {@code graph-repair}. The predicates are the audit's ({@link EdgeCypher}); the
 * recomputed figures are those of the job's MERGE_PURCHASED / mergeAggregate (sinks module,
 * GraphCypher): {@code times = size(receipt_ids)} (aggregates: plus a {@code legacy_count}), {@code
 * last = max(timestamps)}, {@code avg_interval_days = (last - first) / (times - 1)} days, {@code
 * repurchase_likelihood = (times - 1) / times}, both 0.0 below two purchases.
 */
final class RepairCypher {

  private RepairCypher() {}

  /** Counts, in one read-only scan, what {@link #fix} would rewrite and what it leaves. */
  static String count(EdgeKind kind) {
    String repairable = EdgeCypher.repairable(kind);
    return "MATCH ()-[r:"
        + kind.name()
        + "]->() "
        + EdgeCypher.project(kind, "")
        + " WITH ids, ts, n, legacy"
        + (kind.isPurchase() ? ", last" : "")
        + ", "
        + repairable
        + " AS repairable"
        + " RETURN count(CASE WHEN repairable THEN 1 END) AS edges,"
        + " count(CASE WHEN repairable AND "
        + EdgeCypher.DUPLICATE_IDS
        + " THEN 1 END) AS duplicates,"
        + " count(CASE WHEN repairable AND "
        + EdgeCypher.COUNT_MISMATCH
        + " THEN 1 END) AS counts,"
        + (kind.isPurchase()
            ? " count(CASE WHEN repairable AND " + EdgeCypher.LAST_MISMATCH + " THEN 1 END)"
            : " sum(0)") // a bare 0 would be a grouping key: no edges, no row
        + " AS lasts,"
        + " count(CASE WHEN "
        + EdgeCypher.MISALIGNED
        + " THEN 1 END) AS misaligned,"
        + " count(CASE WHEN "
        + EdgeCypher.NO_IDS
        + " THEN 1 END) AS without_ids";
  }

  /**
   * Rewrites every repairable edge, {@code $batchSize} edges per transaction. Each edge is
   * write-locked before it is read again inside its batch, so an edge the job changed since the
   * scan is judged on what it is now (and skipped when it is fine); the first occurrence of each id
   * is kept with the timestamp at the same position.
   */
  static String fix(EdgeKind kind) {
    String repairable = EdgeCypher.repairable(kind);
    StringBuilder q =
        new StringBuilder()
            .append("MATCH ()-[r:")
            .append(kind.name())
            .append("]->() ")
            .append(EdgeCypher.project(kind, "r"))
            .append(" WHERE ")
            .append(repairable)
            .append(" CALL { WITH r")
            .append(" SET r.receipt_ids = r.receipt_ids")
            .append(" WITH r ")
            .append(EdgeCypher.project(kind, "r"))
            .append(" WHERE ")
            .append(repairable)
            .append(" WITH r, ids, ts, legacy,")
            .append(" [i IN range(0, size(ids) - 1) WHERE NOT ids[i] IN ids[0..i]] AS keep")
            .append(" WITH r, legacy, [i IN keep | ids[i]] AS ids, [i IN keep | ts[i]] AS ts")
            .append(" SET r.receipt_ids = ids, r.timestamps = ts, r.")
            .append(kind.countProperty())
            .append(" = legacy + size(ids)");
    if (kind.isPurchase()) {
      q.append(" WITH r, size(ids) AS times, ")
          .append(earliest("ts"))
          .append(" AS first, ")
          .append(latest("ts"))
          .append(" AS last")
          .append(" SET r.last = last,")
          .append(" r.avg_interval_days = CASE WHEN times < 2 THEN 0.0")
          .append(" ELSE (last.epochMillis - first.epochMillis) / 86400000.0 / (times - 1) END,")
          .append(" r.repurchase_likelihood = CASE WHEN times < 2 THEN 0.0")
          .append(" ELSE toFloat(times - 1) / times END");
    }
    q.append(" RETURN 1 AS fixed } IN TRANSACTIONS OF $batchSize ROWS")
        .append(" RETURN count(fixed) AS fixed");
    return q.toString();
  }

  private static String latest(String list) {
    return "reduce(hi = null, t IN "
        + list
        + " | CASE WHEN hi IS NULL OR t > hi THEN t ELSE hi END)";
  }

  private static String earliest(String list) {
    return "reduce(lo = null, t IN "
        + list
        + " | CASE WHEN lo IS NULL OR t < lo THEN t ELSE lo END)";
  }
}
