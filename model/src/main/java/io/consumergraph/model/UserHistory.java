package io.consumergraph.model;

/**
 * The outcome of loading one user's history for a {@link UserLoadRequest}: every receipt (Purchase
 * History API) and shop order (BTS) of the lookback window, enriched, or the reason it failed.
 *
 * @param fetchedAtMs when the history was fetched; live purchases seen after it must survive the
 *     FullLoad that writes this history
 * @param purchases the full history, receipts and shop orders together; empty when failed
 * @param failure null on success, else why the load failed after its last attempt
 */
public record UserHistory(
    UserLoadRequest request, long fetchedAtMs, EnrichedPurchase[] purchases, String failure) {

  public boolean failed() {
    return failure != null;
  }
}
