package io.consumergraph.flags;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the flag document and the id lists it references, one {@link #pollOnce()} at a time (the
 * flag source's reader calls it at its interval), and tells a {@link Listener} about every change:
 * first the members of each changed list, then the new {@link FlagSnapshot}. A document that fails
 * to load or validate never replaces the last good one (it is logged at ERROR with the reason);
 * before the first good document {@link #current()} is {@link FlagSnapshot#noDocumentYet()}. Not
 * thread-safe: poll from one thread.
 */
public final class FlagPoller {

  private static final Logger LOG = LoggerFactory.getLogger(FlagPoller.class);

  /** Receives changes; called on the polling thread, one call at a time. */
  public interface Listener {
    /** The document or an id list version changed; this snapshot replaces the previous one. */
    void onSnapshot(FlagSnapshot snapshot);

    /**
     * One distinct user of a changed id list, streamed before the snapshot that makes the list's
     * new version current.
     */
    default void onIdListMember(IdListMember member) {}

    /**
     * A poll failed. {@code servingLastGood} is false while no document has ever loaded ("no
     * document yet"): the caller decides what that means (ingestion closed, killswitches off).
     */
    default void onFailure(String reason, boolean servingLastGood) {}
  }

  /** What one poll did. */
  public enum PollResult {
    /** Nothing changed. */
    UNCHANGED,
    /** A new snapshot was published. */
    CHANGED,
    /** Something failed; the last good snapshot (or "no document yet") stays. */
    FAILED,
    /** Something failed but a changed id list or document was still published. */
    CHANGED_WITH_FAILURES
  }

  private final DocumentLocation location;
  private final FlagDocumentFetcher fetcher;
  private final FlagDocumentParser parser = new FlagDocumentParser();
  private final Clock clock;
  private final Listener listener;

  private FlagSnapshot current = FlagSnapshot.noDocumentYet();

  /** The failure last logged at ERROR; a poll failing the same way again logs at DEBUG. */
  private String lastLoggedFailure;

  /** Failed polls in a row; 0 after a clean poll. */
  private long failingSince;

  /** A poller of the document at {@code location}; snapshots are stamped by the system clock. */
  public FlagPoller(DocumentLocation location, FlagDocumentFetcher fetcher, Listener listener) {
    this(location, fetcher, listener, Clock.systemUTC());
  }

  /** A poller whose snapshots are stamped by {@code clock}. */
  public FlagPoller(
      DocumentLocation location, FlagDocumentFetcher fetcher, Listener listener, Clock clock) {
    this.location = Objects.requireNonNull(location, "location");
    this.fetcher = Objects.requireNonNull(fetcher, "fetcher");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The latest good snapshot, or {@link FlagSnapshot#noDocumentYet()}. */
  public FlagSnapshot current() {
    return current;
  }

  /**
   * Fetches the document and its id lists once, streams changed lists and publishes a changed
   * snapshot. Never throws for a load or validation problem: it reports it and keeps the last good
   * state.
   */
  public PollResult pollOnce() {
    FlagSnapshot previous = current;
    List<String> problems = new ArrayList<>();

    FlagDocument document = previous.document();
    String text = previous.documentText();
    ContentVersion documentVersion = previous.documentVersion();
    boolean documentChanged = false;
    try {
      Optional<VersionedContent> fetched =
          fetcher.readIfChanged(
              location, documentVersion, FlagDocumentFetcher.DEFAULT_MAX_DOCUMENT_BYTES);
      if (fetched.isPresent()) {
        VersionedContent content = fetched.get();
        try {
          document = parser.parse(content.bytes(), location);
          text = new String(content.bytes(), StandardCharsets.UTF_8);
          documentVersion = content.version();
          documentChanged = true;
        } catch (FlagDocumentException e) {
          problems.add(
              "flag document "
                  + location
                  + " ("
                  + content.version()
                  + ") rejected: "
                  + String.join("; ", e.errors()));
        }
      }
    } catch (IOException e) {
      problems.add("flag document " + location + " could not be loaded: " + e.getMessage());
    } catch (RuntimeException e) {
      problems.add("flag document " + location + " could not be loaded: " + e);
    }

    Map<String, ContentVersion> listVersions = new LinkedHashMap<>();
    boolean listsChanged = false;
    if (document != null) {
      Map<String, ContentVersion> known = new HashMap<>(previous.idListVersions());
      for (IdListRef list : document.idLists()) {
        ContentVersion before = known.get(list.key());
        ContentVersion after = syncList(list, before, problems);
        if (after != null) {
          listVersions.put(list.key(), after);
        }
        listsChanged |= !Objects.equals(before, after);
      }
      // A list no longer referenced is dropped; that is a change only if it was there before.
      listsChanged |= !listVersions.keySet().containsAll(previous.idListVersions().keySet());
    }

    boolean changed = documentChanged || listsChanged;
    if (changed) {
      FlagSnapshot next =
          new FlagSnapshot(
              document, text, location, documentVersion, listVersions, clock.instant());
      // Published only once the listener took it: if it throws, the next poll delivers it again.
      listener.onSnapshot(next);
      current = next;
      LOG.info(
          "FlagPoller: flag document {} now at {} (document {}, id lists {})",
          location,
          documentVersion,
          documentChanged ? "changed" : "unchanged",
          listVersions);
    }
    if (problems.isEmpty()) {
      if (failingSince > 0) {
        LOG.info(
            "FlagPoller: flag document {} polls cleanly again after {} failed poll(s)",
            location,
            failingSince);
        failingSince = 0;
        lastLoggedFailure = null;
      }
      return changed ? PollResult.CHANGED : PollResult.UNCHANGED;
    }
    failingSince++;
    boolean servingLastGood = current.hasDocument();
    String failure = String.join(" | ", problems);
    // A document that stays bad fails every poll the same way: log it when it starts or changes,
    // not every poll interval (the flag source's failedPolls counter still counts each one).
    boolean repeated = failure.equals(lastLoggedFailure);
    lastLoggedFailure = failure;
    for (String problem : problems) {
      String state =
          servingLastGood
              ? "keeping flag document " + current.documentVersion()
              : "no flag document yet";
      if (repeated) {
        LOG.debug("FlagPoller: {}; {} (failed poll {} in a row)", problem, state, failingSince);
      } else {
        LOG.error("FlagPoller: {}; {}", problem, state);
      }
    }
    listener.onFailure(failure, servingLastGood);
    return changed ? PollResult.CHANGED_WITH_FAILURES : PollResult.FAILED;
  }

  /** Streams the list if it changed; returns the version now current (old one on failure). */
  private ContentVersion syncList(IdListRef list, ContentVersion known, List<String> problems) {
    try {
      Optional<VersionedStream> opened = fetcher.openIfChanged(list.location(), known);
      if (opened.isEmpty()) {
        return known;
      }
      try (VersionedStream stream = opened.get();
          InputStream in = stream.stream()) {
        String version = stream.version().value();
        IdListStats stats =
            IdListLoader.stream(
                in,
                stream.version(),
                id -> listener.onIdListMember(new IdListMember(list.key(), version, id)));
        LOG.info(
            "FlagPoller: id list {} now at {}: {} ids ({} repeated, {} lines skipped) in {} ms",
            list.key(),
            stats.version(),
            stats.ids(),
            stats.duplicates(),
            stats.skippedLines(),
            stats.elapsed().toMillis());
        return stream.version();
      }
    } catch (IOException | RuntimeException e) {
      problems.add(
          "id list "
              + list.key()
              + " could not be loaded: "
              + e.getMessage()
              + (known == null
                  ? " (nobody is a member through it yet)"
                  : " (keeping " + known + ")"));
      return known;
    }
  }
}
