package io.consumergraph.flags;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the flag document (default every 30 s) and the id lists it references, and tells a {@link
 * Listener} about every change: first the members of each changed list, then the new {@link
 * FlagSnapshot}. A document that fails to load or validate never replaces the last good one (it is
 * logged at ERROR with the reason and counted); before the first good document {@link #current()}
 * is {@link FlagSnapshot#noDocumentYet()}.
 *
 * <p>Either call {@link #start()} to poll on a scheduler thread, or drive {@link #pollOnce()} from
 * your own loop (e.g. a Flink source reader).
 */
public final class FlagPoller implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(FlagPoller.class);

  /** The seeds' killswitch polling period. */
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

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

  /** Counters for metrics. {@code lastSuccess} is null until a poll succeeded. */
  public record Stats(
      long polls,
      long changes,
      long failures,
      Instant lastSuccess,
      String lastFailure,
      boolean hasDocument) {}

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
  private final FlagSource source;
  private final FlagDocumentParser parser;
  private final Duration interval;
  private final Clock clock;
  private final Listener listener;
  private final long maxDocumentBytes;
  private final ScheduledExecutorService scheduler;
  private final boolean ownsScheduler;

  private volatile FlagSnapshot current = FlagSnapshot.noDocumentYet();
  private volatile ScheduledFuture<?> scheduled;
  private long polls;
  private long changes;
  private long failures;
  private Instant lastSuccess;
  private String lastFailure;

  /** The failure last logged at ERROR; a poll failing the same way again logs at DEBUG. */
  private String lastLoggedFailure;

  /** Failed polls in a row; 0 after a clean poll. */
  private long failingSince;

  private FlagPoller(Builder builder) {
    this.location = builder.location;
    this.source = builder.source;
    this.parser = builder.parser;
    this.interval = builder.interval;
    this.clock = builder.clock;
    this.listener = builder.listener;
    this.maxDocumentBytes = builder.maxDocumentBytes;
    this.ownsScheduler = builder.scheduler == null;
    this.scheduler =
        builder.scheduler != null
            ? builder.scheduler
            : Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread thread = new Thread(r, "flag-poller");
                  thread.setDaemon(true);
                  return thread;
                });
  }

  /** Starts building a poller of the document at {@code location}. */
  public static Builder builder(DocumentLocation location, FlagSource source, Listener listener) {
    return new Builder(location, source, listener);
  }

  /** Settings of a {@link FlagPoller}. */
  public static final class Builder {
    private final DocumentLocation location;
    private final FlagSource source;
    private final Listener listener;
    private FlagDocumentParser parser = new FlagDocumentParser();
    private Duration interval = DEFAULT_INTERVAL;
    private Clock clock = Clock.systemUTC();
    private ScheduledExecutorService scheduler;
    private long maxDocumentBytes = FlagSource.DEFAULT_MAX_DOCUMENT_BYTES;

    private Builder(DocumentLocation location, FlagSource source, Listener listener) {
      this.location = Objects.requireNonNull(location, "location");
      this.source = Objects.requireNonNull(source, "source");
      this.listener = Objects.requireNonNull(listener, "listener");
    }

    public Builder parser(FlagDocumentParser parser) {
      this.parser = Objects.requireNonNull(parser);
      return this;
    }

    public Builder interval(Duration interval) {
      if (interval.isNegative() || interval.isZero()) {
        throw new IllegalArgumentException("interval must be positive: " + interval);
      }
      this.interval = interval;
      return this;
    }

    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock);
      return this;
    }

    /** The scheduler {@link #start()} uses; not shut down by the poller. Default: own thread. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler);
      return this;
    }

    public Builder maxDocumentBytes(long maxDocumentBytes) {
      this.maxDocumentBytes = maxDocumentBytes;
      return this;
    }

    public FlagPoller build() {
      return new FlagPoller(this);
    }
  }

  /** Polls now and then every interval, on the scheduler. */
  public synchronized void start() {
    if (scheduled != null) {
      throw new IllegalStateException("already started");
    }
    scheduled =
        scheduler.scheduleWithFixedDelay(
            this::pollSafely, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The latest good snapshot, or {@link FlagSnapshot#noDocumentYet()}. */
  public FlagSnapshot current() {
    return current;
  }

  /** Counters for metrics. */
  public synchronized Stats stats() {
    return new Stats(polls, changes, failures, lastSuccess, lastFailure, current.hasDocument());
  }

  /**
   * Fetches the document and its id lists once, streams changed lists and publishes a changed
   * snapshot. Never throws for a load or validation problem: it reports it and keeps the last good
   * state.
   */
  public synchronized PollResult pollOnce() {
    polls++;
    FlagSnapshot previous = current;
    List<String> problems = new ArrayList<>();

    FlagDocument document = previous.document();
    String text = previous.documentText();
    ContentVersion documentVersion = previous.documentVersion();
    boolean documentChanged = false;
    try {
      Optional<VersionedContent> fetched =
          source.readIfChanged(location, documentVersion, maxDocumentBytes);
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
      changes++;
      LOG.info(
          "FlagPoller: flag document {} now at {} (document {}, id lists {})",
          location,
          documentVersion,
          documentChanged ? "changed" : "unchanged",
          listVersions);
    }
    if (problems.isEmpty()) {
      lastSuccess = clock.instant();
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
    failures++;
    failingSince++;
    boolean servingLastGood = current.hasDocument();
    lastFailure = String.join(" | ", problems);
    // A document that stays bad fails every poll the same way: log it when it starts or changes,
    // not every poll interval (the failure counters still count each one).
    boolean repeated = lastFailure.equals(lastLoggedFailure);
    lastLoggedFailure = lastFailure;
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
    listener.onFailure(lastFailure, servingLastGood);
    return changed ? PollResult.CHANGED_WITH_FAILURES : PollResult.FAILED;
  }

  /** Streams the list if it changed; returns the version now current (old one on failure). */
  private ContentVersion syncList(IdListRef list, ContentVersion known, List<String> problems) {
    try {
      Optional<VersionedStream> opened = source.openIfChanged(list.location(), known);
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

  private void pollSafely() {
    try {
      pollOnce();
    } catch (Throwable t) {
      // An exception escaping a scheduled task would silently cancel all later polls.
      synchronized (this) {
        failures++;
        lastFailure = "listener failed: " + t;
      }
      LOG.error("FlagPoller: poll of {} failed; will retry in {}", location, interval, t);
    }
  }

  @Override
  public void close() {
    ScheduledFuture<?> task = scheduled;
    if (task != null) {
      task.cancel(false);
    }
    if (ownsScheduler) {
      scheduler.shutdownNow();
    }
  }
}
