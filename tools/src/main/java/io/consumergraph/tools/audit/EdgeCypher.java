package io.consumergraph.tools.audit;

/**
 * The invariant checks of one edge kind as Cypher boolean expressions over the projection {@link
 * #project}: {@code ids}, {@code ts}, {@code n} (the count property), {@code legacy} (the previous
 * worker's count an aggregate still carries, else 0) and, for PURCHASED, {@code last}. Audit and
 * repair share them, so repair fixes exactly what the audit counts. Only schema names (fixed by
 * {@link EdgeKind}) are put into the text; every value is a parameter.
 */
public final class EdgeCypher {

  private EdgeCypher() {}

  /** {@code WITH} that names the edge's properties for the predicates; keeps {@code r}. */
  public static String project(EdgeKind kind, String keep) {
    return "WITH "
        + keep
        + (keep.isEmpty() ? "" : ", ")
        + "r.receipt_ids AS ids, r.timestamps AS ts, r."
        + kind.countProperty()
        + " AS n, coalesce(r.legacy_count, 0) AS legacy"
        + (kind.isPurchase() ? ", r.last AS last" : "");
  }

  /** The edge has no receipt ids (PURCHASED: broken; aggregates: a legacy count). */
  public static final String NO_IDS = "ids IS NULL";

  /** Some receipt id occurs more than once. */
  public static final String DUPLICATE_IDS =
      "CASE WHEN ids IS NULL THEN false"
          + " ELSE any(i IN range(0, size(ids) - 1) WHERE ids[i] IN ids[0..i]) END";

  /**
   * An aggregate not yet adopted: a legacy count without ids, or one that live purchases count on
   * from ({@code legacy_count}) until the user's first full load replaces it.
   */
  public static final String AWAITING_ADOPTION = "(ids IS NULL OR legacy > 0)";

  /** The count property is missing or is not the number of ids (plus a legacy count). */
  public static final String COUNT_MISMATCH =
      "CASE WHEN ids IS NULL THEN false ELSE coalesce(n <> legacy + size(ids), true) END";

  /** {@code timestamps} is missing or not as long as {@code receipt_ids}. */
  public static final String MISALIGNED =
      "CASE WHEN ids IS NULL THEN false ELSE size(coalesce(ts, [])) <> size(ids) END";

  /** The latest of a list of datetimes (null for an empty list). */
  static String latest(String list) {
    return "reduce(hi = null, t IN "
        + list
        + " | CASE WHEN hi IS NULL OR t > hi THEN t ELSE hi END)";
  }

  /** The earliest of a list of datetimes (null for an empty list). */
  static String earliest(String list) {
    return "reduce(lo = null, t IN "
        + list
        + " | CASE WHEN lo IS NULL OR t < lo THEN t ELSE lo END)";
  }

  /** PURCHASED: {@code last} is missing or is not the latest timestamp. */
  public static final String LAST_MISMATCH =
      "CASE WHEN ids IS NULL OR size(coalesce(ts, [])) = 0 THEN false"
          + " ELSE coalesce(last <> "
          + latest("ts")
          + ", true) END";

  /** A timestamp (or PURCHASED {@code last}) after {@code $now}. */
  public static String future(EdgeKind kind) {
    return "(coalesce(any(t IN ts WHERE t > $now), false)"
        + (kind.isPurchase() ? " OR coalesce(last > $now, false)" : "")
        + ")";
  }

  /** What repair fixes: ids present, aligned, and duplicated, miscounted or a wrong last. */
  public static String repairable(EdgeKind kind) {
    return "ids IS NOT NULL AND NOT ("
        + MISALIGNED
        + ") AND (("
        + DUPLICATE_IDS
        + ") OR ("
        + COUNT_MISMATCH
        + ")"
        + (kind.isPurchase() ? " OR (" + LAST_MISMATCH + ")" : "")
        + ")";
  }
}
