package io.consumergraph.tools.audit;

/** How bad a broken invariant is; the verdict is the worst severity among those found. */
public enum Severity {
  /** Needs a look or a backfill, but the graph's figures are right. */
  WARN,
  /** The graph contradicts its contract: counts, ids or timestamps are wrong. */
  CRITICAL
}
