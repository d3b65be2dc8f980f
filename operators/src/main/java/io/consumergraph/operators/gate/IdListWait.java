package io.consumergraph.operators.gate;

import io.consumergraph.flags.ContentVersion;
import io.consumergraph.flags.FlagSnapshot;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * When a purchase the flag refuses waits for an id-list membership instead of being dropped: the
 * flag source streams a list version's members before the snapshot that makes it current, but on
 * another input, so the snapshot can come first. A refused purchase whose user would be admitted by
 * the lists whose version became current less than {@code grace} ago waits; the user's wait ends a
 * grace after its first purchase started waiting, however the lists change meanwhile.
 *
 * <p>Remembers when this subtask first saw each list version current. That is not checkpointed:
 * after a restore a version counts from its first use, which only delays drops by one grace.
 */
final class IdListWait {

  /** What becomes of a user's waiting purchases when they are judged again. */
  enum Step {
    /** Admitted now: they go on. */
    ADMIT,
    /** The wait is over and they are still refused. */
    DROP,
    /** Still refused, but the deadline has not come. */
    WAIT_ON
  }

  private final long graceMs;

  /** When this subtask first saw each list version ("key@version") current. */
  private final Map<String, Long> versionSeenAt = new HashMap<>();

  IdListWait(Duration grace) {
    this.graceMs = checkGrace(grace).toMillis();
  }

  /** Refuses a negative grace (at job submission, when the gate is built). */
  static Duration checkGrace(Duration grace) {
    if (grace.isNegative()) {
      throw new IllegalArgumentException("idListGrace must not be negative: " + grace);
    }
    return grace;
  }

  /** A new snapshot: its list versions count from now, versions no longer current are forgotten. */
  void snapshotArrived(FlagSnapshot flags, long now) {
    Set<String> current = new HashSet<>();
    flags.idListVersions().forEach((key, version) -> current.add(seenKey(key, version)));
    current.forEach(v -> versionSeenAt.putIfAbsent(v, now));
    versionSeenAt.keySet().retainAll(current);
  }

  /** The lists whose current version became current less than the grace ago. */
  List<String> streamingLists(FlagSnapshot flags, long now) {
    List<String> streaming = new ArrayList<>();
    for (Map.Entry<String, ContentVersion> list : flags.idListVersions().entrySet()) {
      long seen = versionSeenAt.computeIfAbsent(seenKey(list.getKey(), list.getValue()), v -> now);
      if (now < seen + graceMs) {
        streaming.add(list.getKey());
      }
    }
    return streaming;
  }

  /**
   * Whether a purchase the flag refuses waits: its user would be admitted were it in every list
   * still streaming. False at once when no list is.
   */
  boolean shouldWait(
      FlagSnapshot flags,
      String userId,
      Map<String, ? extends Collection<String>> storedVersions,
      long now) {
    List<String> streaming = streamingLists(flags, now);
    return !streaming.isEmpty()
        && AdmissionPolicy.admitsOnceStreamed(flags, userId, storedVersions, streaming);
  }

  /**
   * The deadline of a user's wait: the one its first waiting purchase set, else a grace from now.
   */
  long deadline(Long current, long now) {
    return current != null ? current : now + graceMs;
  }

  /** Judges a user's waiting purchases again. */
  static Step rejudge(AdmissionPolicy.Admission admission, long deadline, long now) {
    if (admission.admitted()) {
      return Step.ADMIT;
    }
    return now >= deadline ? Step.DROP : Step.WAIT_ON;
  }

  private static String seenKey(String listKey, ContentVersion version) {
    return listKey + "@" + version.value();
  }
}
