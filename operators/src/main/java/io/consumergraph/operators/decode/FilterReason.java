package io.consumergraph.operators.decode;

/**
 * Why a well-formed event is not written to the graph. Each reason is a Flink counter named {@code
 * filtered.<metricName>} on the decode operator.
 */
public enum FilterReason {
  /** A receipt whose status is not FINISHED (REJECTED, PENDING, ...). */
  NOT_FINISHED("notFinished"),
  /** A digital receipt (e-mail or app integration); only physical receipts are taken. */
  DIGITAL("digital"),
  /** No item with a FIDO: nothing to link to a product. */
  NO_FIDO_ITEMS("noFidoItems"),
  /** A factoid whose source is not SHOP. */
  NOT_SHOP("notShop"),
  /** A shop factoid whose event type is not ORDER_FINALIZED. */
  NOT_ORDER_FINALIZED("notOrderFinalized"),
  /** A finalized shop order whose fido_count is 0. */
  NO_FIDOS("noFidos");

  private final String metricName;

  FilterReason(String metricName) {
    this.metricName = metricName;
  }

  public String metricName() {
    return metricName;
  }
}
