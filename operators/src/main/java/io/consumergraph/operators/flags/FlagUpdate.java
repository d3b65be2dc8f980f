package io.consumergraph.operators.flags;

/**
 * What the flag source emits: either a new flag snapshot (as JSON, broadcast to every gate subtask)
 * or one member of a changed id list (routed to the keyed state of that user).
 */
public record FlagUpdate(String snapshotJson, String listKey, String listVersion, String userId) {

  public static FlagUpdate snapshot(String json) {
    return new FlagUpdate(json, null, null, null);
  }

  public static FlagUpdate member(String listKey, String listVersion, String userId) {
    return new FlagUpdate(null, listKey, listVersion, userId);
  }

  public boolean isSnapshot() {
    return snapshotJson != null;
  }
}
