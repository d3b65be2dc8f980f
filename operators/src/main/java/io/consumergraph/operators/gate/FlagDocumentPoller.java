package io.consumergraph.operators.gate;

import io.consumergraph.flags.DocumentLocation;
import io.consumergraph.flags.FlagDocumentFetcher;
import io.consumergraph.flags.FlagPoller;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.IdListMember;
import io.consumergraph.operators.poll.Poller;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Polls the flag document (and the id lists it names) for the {@code PollingSource}: emits the
 * members of every changed id list, then the snapshot that makes those versions current.
 *
 * <p>Metrics (group {@code flags} of the source): {@code polls}, {@code failedPolls}, {@code
 * snapshots} (documents or id-list versions that took effect), {@code idListMembers} streamed,
 * {@code consecutiveFailedPolls} (alert on it: the job keeps serving the last good document) and
 * {@code documentLoaded} (0 until a document has loaded: ingestion is held until then).
 */
public final class FlagDocumentPoller implements Poller<FlagUpdate> {

  private static final long serialVersionUID = 1L;

  private final String location;
  private final FlagDocumentFetcher.Settings settings;

  private transient FlagDocumentFetcher source;
  private transient FlagPoller poller;
  private transient List<FlagUpdate> buffer;
  private transient Counter polls;
  private transient Counter failedPolls;
  private transient Counter snapshots;
  private transient Counter members;
  private transient volatile long consecutiveFailedPolls;
  private transient volatile boolean documentLoaded;

  public FlagDocumentPoller(String location, FlagDocumentFetcher.Settings settings) {
    // Fail at job submission, not on the task manager, when the location is malformed.
    DocumentLocation.parse(location);
    this.location = location;
    this.settings = settings;
  }

  @Override
  public void open(MetricGroup metrics) {
    MetricGroup group = metrics.addGroup("flags");
    polls = group.counter("polls");
    failedPolls = group.counter("failedPolls");
    snapshots = group.counter("snapshots");
    members = group.counter("idListMembers");
    group.gauge("consecutiveFailedPolls", () -> consecutiveFailedPolls);
    group.gauge("documentLoaded", () -> documentLoaded ? 1 : 0);
    buffer = new ArrayList<>();
    source = FlagDocumentFetcher.create(settings);
    poller =
        new FlagPoller(
            DocumentLocation.parse(location),
            source,
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
    return out;
  }

  @Override
  public void close() {
    if (source != null) {
      source.close();
    }
  }
}
