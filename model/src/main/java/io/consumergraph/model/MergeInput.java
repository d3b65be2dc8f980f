package io.consumergraph.model;

/**
 * What the full-load merger hears about one user: a live enriched purchase or a loaded history.
 * Exactly one is set.
 */
public record MergeInput(String userId, EnrichedPurchase live, UserHistory history) {

  public static MergeInput live(EnrichedPurchase purchase) {
    return new MergeInput(purchase.userId(), purchase, null);
  }

  public static MergeInput history(UserHistory history) {
    return new MergeInput(history.request().userId(), null, history);
  }
}
