package io.consumergraph.operators.flags;

import io.consumergraph.flags.DocumentLocation;
import io.consumergraph.flags.FlagDocumentFetcher;
import io.consumergraph.flags.FlagPoller;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.IdListMember;
import io.consumergraph.operators.poll.Poller;
import io.consumergraph.operators.poll.PollingSource;
import io.consumergraph.operators.poll.PollingSplit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The Flink source of flag updates: on one subtask, a {@link FlagPoller} polls the flag document
 * (and the id lists it names) every interval; the source emits the members of every changed id
 * list, then the snapshot that makes those versions current. It is a {@link PollingSource}, so
 * nothing but the split assignment is checkpointed: after a restore it re-emits the current
 * document and lists, which the gate applies idempotently.
 *
 * <p>Between polls a continuous source emits a {@link FlagUpdate#tick()} every {@link #TICK}: the
 * gate releases what a killswitch held in slices, one per tick.
 *
 * <p>Metrics (group {@value #METRIC_GROUP} of the source): {@code polls}, {@code failedPolls},
 * {@code snapshots} (documents or id-list versions that took effect), {@code idListMembers}
 * streamed, {@code consecutiveFailedPolls} (alert on it: the job keeps serving the last good
 * document) and {@code documentLoaded} (0 until a document has loaded: ingestion is held until
 * then).
 */
public final class FlagUpdateSource implements Source<FlagUpdate, PollingSplit, Boolean> {

  private static final long serialVersionUID = 1L;

  /** Metric names: dashboards and alerts use them, never rename. */
  static final String METRIC_GROUP = "flags";

  static final String POLLS = "polls";
  static final String FAILED_POLLS = "failedPolls";
  static final String SNAPSHOTS = "snapshots";
  static final String ID_LIST_MEMBERS = "idListMembers";
  static final String CONSECUTIVE_FAILED_POLLS = "consecutiveFailedPolls";
  static final String DOCUMENT_LOADED = "documentLoaded";

  /** A bounded source polls once at start; the interval only spaces idle wake-ups until it ends. */
  private static final Duration ONCE = Duration.ofSeconds(30);

  /** How often a continuous source emits a tick between its polls. */
  static final Duration TICK = Duration.ofSeconds(1);

  private final PollingSource<FlagUpdate> polling;

  private FlagUpdateSource(PollingSource<FlagUpdate> polling) {
    this.polling = polling;
  }

  /** Polls the document at {@code location} every {@code interval}, forever. */
  public static FlagUpdateSource continuous(
      String location, FlagDocumentFetcher.Settings settings, Duration interval) {
    Duration wakeUp = interval.compareTo(TICK) < 0 ? interval : TICK;
    return new FlagUpdateSource(
        new PollingSource<>(new Polls(location, settings, interval), wakeUp));
  }

  /** Polls once and ends: enough for bounded jobs (tests, replays), which have a fixed document. */
  public static FlagUpdateSource once(String location, FlagDocumentFetcher.Settings settings) {
    return new FlagUpdateSource(
        PollingSource.bounded(new Polls(location, settings, Duration.ZERO), ONCE, 1));
  }

  /** The same source, its metrics under the group {@code name} (see MetricGroups). */
  public FlagUpdateSource withMetricGroup(String name) {
    return new FlagUpdateSource(polling.withMetricGroup(name));
  }

  @Override
  public Boundedness getBoundedness() {
    return polling.getBoundedness();
  }

  @Override
  public SourceReader<FlagUpdate, PollingSplit> createReader(SourceReaderContext context) {
    return polling.createReader(context);
  }

  @Override
  public SplitEnumerator<PollingSplit, Boolean> createEnumerator(
      SplitEnumeratorContext<PollingSplit> context) {
    return polling.createEnumerator(context);
  }

  @Override
  public SplitEnumerator<PollingSplit, Boolean> restoreEnumerator(
      SplitEnumeratorContext<PollingSplit> context, Boolean assigned) {
    return polling.restoreEnumerator(context, assigned);
  }

  /** The polling source's split format: part of the savepoint format. */
  @Override
  public SimpleVersionedSerializer<PollingSplit> getSplitSerializer() {
    return polling.getSplitSerializer();
  }

  /** The polling source's enumerator format: part of the savepoint format. */
  @Override
  public SimpleVersionedSerializer<Boolean> getEnumeratorCheckpointSerializer() {
    return polling.getEnumeratorCheckpointSerializer();
  }

  /**
   * One wake-up of the source: a poll of the document once {@code interval} has passed since the
   * last (what the flag poller reported, as flag updates, and counted); a tick when it emits
   * nothing else.
   */
  static final class Polls implements Poller<FlagUpdate> {

    private static final long serialVersionUID = 1L;

    private final String location;
    private final FlagDocumentFetcher.Settings settings;
    private final long intervalNanos;

    private transient long lastPollNanos;
    private transient boolean polledOnce;
    private transient FlagDocumentFetcher fetcher;
    private transient FlagPoller poller;
    private transient List<FlagUpdate> buffer;
    private transient Counter polls;
    private transient Counter failedPolls;
    private transient Counter snapshots;
    private transient Counter members;
    private transient volatile long consecutiveFailedPolls;
    private transient volatile boolean documentLoaded;

    Polls(String location, FlagDocumentFetcher.Settings settings, Duration interval) {
      // Fail at job submission, not on the task manager, when the location is malformed.
      DocumentLocation.parse(location);
      this.location = location;
      this.settings = settings;
      this.intervalNanos = interval.toNanos();
    }

    @Override
    public void open(MetricGroup metrics) {
      MetricGroup group = metrics.addGroup(METRIC_GROUP);
      polls = group.counter(POLLS);
      failedPolls = group.counter(FAILED_POLLS);
      snapshots = group.counter(SNAPSHOTS);
      members = group.counter(ID_LIST_MEMBERS);
      group.gauge(CONSECUTIVE_FAILED_POLLS, () -> consecutiveFailedPolls);
      group.gauge(DOCUMENT_LOADED, () -> documentLoaded ? 1 : 0);
      buffer = new ArrayList<>();
      fetcher = FlagDocumentFetcher.create(settings);
      poller =
          new FlagPoller(
              DocumentLocation.parse(location),
              fetcher,
              new FlagPoller.Listener() {
                @Override
                public void onSnapshot(FlagSnapshot snapshot) {
                  buffer.add(FlagUpdate.snapshot(snapshot.toJson()));
                  snapshots.inc();
                  documentLoaded = snapshot.hasDocument();
                }

                @Override
                public void onIdListMember(IdListMember m) {
                  buffer.add(FlagUpdate.member(m.listKey(), m.listVersion(), m.userId()));
                  members.inc();
                }
                // Failures: FlagPoller logs each new one; the counters here make them visible.
              });
    }

    @Override
    public List<FlagUpdate> poll() {
      long now = System.nanoTime();
      if (polledOnce && now - lastPollNanos < intervalNanos) {
        return List.of(FlagUpdate.tick());
      }
      polledOnce = true;
      lastPollNanos = now;
      FlagPoller.PollResult result;
      try {
        result = poller.pollOnce();
      } catch (RuntimeException e) {
        polls.inc();
        failedPolls.inc();
        consecutiveFailedPolls++;
        throw e;
      }
      polls.inc();
      if (result == FlagPoller.PollResult.FAILED
          || result == FlagPoller.PollResult.CHANGED_WITH_FAILURES) {
        failedPolls.inc();
        consecutiveFailedPolls++;
      } else {
        consecutiveFailedPolls = 0;
      }
      List<FlagUpdate> out = buffer;
      buffer = new ArrayList<>();
      return out.isEmpty() ? List.of(FlagUpdate.tick()) : out;
    }

    @Override
    public void close() {
      if (fetcher != null) {
        fetcher.close();
      }
    }
  }
}
