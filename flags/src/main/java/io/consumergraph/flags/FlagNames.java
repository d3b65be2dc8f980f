package io.consumergraph.flags;

/** The flag names this job reads from the flag document. */
public final class FlagNames {

  /** Per-user ingestion gate: rollout percentage plus segments. */
  public static final String INGESTION = "consumer_graph_ingestion";

  /** When enabled, the receipt stream stops writing (its events are held, not dropped). */
  public static final String RECEIPT_KILLSWITCH = "consumer_graph_receipt_killswitch";

  /** When enabled, the factoid stream stops writing (its events are held, not dropped). */
  public static final String FACTOID_KILLSWITCH = "consumer_graph_factoid_killswitch";

  private FlagNames() {}
}
