package io.consumergraph.tools.audit;

/**
 * The relationships of the graph contract that carry receipt ids, with the property that counts
 * them. PURCHASED timestamps are datetimes and it has {@code last}; SHOPS_AT and SHOPS_IN keep
 * timestamps as epoch milliseconds.
 */
public enum EdgeKind {
  PURCHASED("purchased", "times", "Product", "product_id", true),
  SHOPS_AT("shops_at", "frequency", "Retailer", "retailer_id", false),
  SHOPS_IN("shops_in", "purchase_count", "Category", "category_id", false);

  private final String key;
  private final String countProperty;
  private final String targetLabel;
  private final String targetKey;
  private final boolean purchase;

  EdgeKind(
      String key, String countProperty, String targetLabel, String targetKey, boolean purchase) {
    this.key = key;
    this.countProperty = countProperty;
    this.targetLabel = targetLabel;
    this.targetKey = targetKey;
    this.purchase = purchase;
  }

  /** The prefix of this kind's invariant names, e.g. {@code purchased}. */
  public String key() {
    return key;
  }

  /** {@code times}, {@code frequency} or {@code purchase_count}. */
  public String countProperty() {
    return countProperty;
  }

  public String targetLabel() {
    return targetLabel;
  }

  public String targetKey() {
    return targetKey;
  }

  /** PURCHASED: datetime timestamps, {@code last} and the derived repurchase figures. */
  public boolean isPurchase() {
    return purchase;
  }

  /** An aggregate (SHOPS_AT, SHOPS_IN) edge; one without ids is a legacy count. */
  public boolean isAggregate() {
    return !purchase;
  }
}
