package io.consumergraph.flags;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A validated flag document: flags (ingestion rollout and segments, killswitches) plus the
 * internal-users list. Immutable and {@link Serializable}; large id lists are referenced by
 * location only ({@link IdListRef}), never held here.
 */
public record FlagDocument(Map<String, Flag> flags, InternalUsers internalUsers)
    implements Serializable {

  public FlagDocument {
    flags = Map.copyOf(new LinkedHashMap<>(Objects.requireNonNull(flags, "flags")));
    internalUsers = internalUsers == null ? InternalUsers.NONE : internalUsers;
  }

  /** One flag: on/off, a rollout percentage of all users, and segments evaluated in order. */
  public record Flag(String name, boolean enabled, double rollout, List<Segment> segments)
      implements Serializable {
    public Flag {
      Objects.requireNonNull(name, "name");
      segments = List.copyOf(segments);
    }
  }

  /**
   * A segment: exactly one membership rule (internal users, inline ids, or an id list) and a
   * rollout percentage applied within the segment with the flag's stable hash.
   */
  public record Segment(
      String name, boolean internalUsers, Set<String> allowedIds, IdListRef idList, double rollout)
      implements Serializable {
    public Segment {
      Objects.requireNonNull(name, "name");
      allowedIds = Set.copyOf(allowedIds);
    }

    /** The id list this segment reads, if it is S3/file/HTTP-backed. */
    public Optional<IdListRef> idListRef() {
      return Optional.ofNullable(idList);
    }
  }

  /** Who counts as an internal user: inline ids plus an optional id list. */
  public record InternalUsers(Set<String> allowedIds, IdListRef idList) implements Serializable {
    static final InternalUsers NONE = new InternalUsers(Set.of(), null);

    public InternalUsers {
      allowedIds = Set.copyOf(allowedIds);
    }

    /** The internal users' id list, if any. */
    public Optional<IdListRef> idListRef() {
      return Optional.ofNullable(idList);
    }
  }

  /** The named flag, if the document has it. */
  public Optional<Flag> flag(String name) {
    return Optional.ofNullable(flags.get(name));
  }

  /**
   * True when the named flag exists and is enabled. Killswitch flags are engaged when enabled; a
   * missing killswitch is not engaged.
   */
  public boolean isEnabled(String flagName) {
    Flag flag = flags.get(flagName);
    return flag != null && flag.enabled();
  }

  /**
   * Every external id list the document references (segments of all flags and the internal users),
   * de-duplicated by key, in document order: what {@link IdListLoader} must stream.
   */
  public List<IdListRef> idLists() {
    Map<String, IdListRef> byKey = new LinkedHashMap<>();
    internalUsers.idListRef().ifPresent(ref -> byKey.putIfAbsent(ref.key(), ref));
    flags.keySet().stream()
        .sorted()
        .forEach(
            name ->
                flags.get(name).segments().stream()
                    .map(Segment::idListRef)
                    .flatMap(Optional::stream)
                    .forEach(ref -> byKey.putIfAbsent(ref.key(), ref)));
    return List.copyOf(new ArrayList<>(byKey.values()));
  }

  /**
   * Decides whether the user's live events pass the flag.
   *
   * @param listsTheUserIsIn keys ({@link IdListRef#key()}) of the id lists whose <em>current</em>
   *     version lists this user; the caller keeps this per user in keyed state
   */
  public IngestionDecision evaluate(String flagName, String userId, Set<String> listsTheUserIsIn) {
    Flag flag = flags.get(flagName);
    if (flag == null || !flag.enabled()) {
      return IngestionDecision.FLAG_OFF;
    }
    if (userId == null || userId.isEmpty()) {
      return IngestionDecision.NONE;
    }
    // Segments first, in document order, so metrics name the most specific reason.
    for (Segment segment : flag.segments()) {
      if (isMember(segment, userId, listsTheUserIsIn)
          && Rollout.enabled(flagName, userId, segment.rollout())) {
        return segment.internalUsers()
            ? IngestionDecision.INTERNAL
            : IngestionDecision.segment(segment.name());
      }
    }
    return Rollout.enabled(flagName, userId, flag.rollout())
        ? IngestionDecision.ROLLOUT
        : IngestionDecision.NONE;
  }

  /** Whether the user is an internal user (inline or via the internal users' id list). */
  public boolean isInternalUser(String userId, Set<String> listsTheUserIsIn) {
    return internalUsers.allowedIds().contains(userId)
        || internalUsers.idListRef().map(ref -> listsTheUserIsIn.contains(ref.key())).orElse(false);
  }

  private boolean isMember(Segment segment, String userId, Set<String> listsTheUserIsIn) {
    if (segment.internalUsers()) {
      return isInternalUser(userId, listsTheUserIsIn);
    }
    if (segment.idList() != null) {
      return listsTheUserIsIn.contains(segment.idList().key());
    }
    return segment.allowedIds().contains(userId);
  }
}
