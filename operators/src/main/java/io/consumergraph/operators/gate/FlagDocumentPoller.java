package io.consumergraph.operators.gate;

import io.consumergraph.flags.DocumentLocation;
import io.consumergraph.flags.FlagPoller;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.FlagSource;
import io.consumergraph.flags.IdListMember;
import io.consumergraph.operators.poll.Poller;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the flag document (and the id lists it names) for the {@code PollingSource}: emits the
 * members of every changed id list, then the snapshot that makes those versions current.
 */
public final class FlagDocumentPoller implements Poller<FlagUpdate> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(FlagDocumentPoller.class);

  private final String location;
  private final FlagSource.Settings settings;

  private transient FlagSource source;
  private transient FlagPoller poller;
  private transient List<FlagUpdate> buffer;

  public FlagDocumentPoller(String location, FlagSource.Settings settings) {
    // Fail at job submission, not on the task manager, when the location is malformed.
    DocumentLocation.parse(location);
    this.location = location;
    this.settings = settings;
  }

  @Override
  public void open() {
    buffer = new ArrayList<>();
    source = FlagSource.create(settings);
    poller =
        FlagPoller.builder(
                DocumentLocation.parse(location),
                source,
                new FlagPoller.Listener() {
                  @Override
                  public void onSnapshot(FlagSnapshot snapshot) {
                    buffer.add(FlagUpdate.snapshot(snapshot.toJson()));
                  }

                  @Override
                  public void onIdListMember(IdListMember m) {
                    buffer.add(FlagUpdate.member(m.listKey(), m.listVersion(), m.userId()));
                  }

                  @Override
                  public void onFailure(String reason, boolean servingLastGood) {
                    LOG.error(
                        "flag document {}: {} ({})",
                        location,
                        reason,
                        servingLastGood ? "keeping the last good document" : "no document yet");
                  }
                })
            .build();
  }

  @Override
  public List<FlagUpdate> poll() {
    poller.pollOnce();
    List<FlagUpdate> out = buffer;
    buffer = new ArrayList<>();
    return out;
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.close();
    }
    if (source != null) {
      source.close();
    }
  }
}
