package io.consumergraph.operators.flags;

/**
 * What the flag source emits: a new flag snapshot (as JSON, broadcast to every gate subtask), one
 * member of a changed id list (routed to the keyed state of that user), or a tick (broadcast, every
 * second between polls), on which the gate goes on releasing what a killswitch held.
 */
public record FlagUpdate(String snapshotJson, String listKey, String listVersion, String userId) {

  public static FlagUpdate snapshot(String json) {
    return new FlagUpdate(json, null, null, null);
  }

  public static FlagUpdate member(String listKey, String listVersion, String userId) {
    return new FlagUpdate(null, listKey, listVersion, userId);
  }

  public static FlagUpdate tick() {
    return new FlagUpdate(null, null, null, null);
  }

  public boolean isSnapshot() {
    return snapshotJson != null;
  }

  public boolean isMember() {
    return userId != null;
  }

  public boolean isTick() {
    return snapshotJson == null && userId == null;
  }

  /** Snapshots and ticks go to every gate subtask. */
  public boolean isBroadcast() {
    return !isMember();
  }
}
