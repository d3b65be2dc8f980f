package io.consumergraph.operators.gate;

import io.consumergraph.flags.FlagNames;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.IngestionDecision;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decides per user whether a live purchase is processed: the ingestion flag (rollout, segments, id
 * lists, internal users) or an experiment enrollment lets it through; a stream's killswitch holds
 * it in keyed state until the switch is turned off, so nothing is lost.
 *
 * <p>Keyed by user id. The flag snapshot arrives on the broadcast side; id-list memberships and
 * enrollments arrive on the keyed side and live in the state of the user they concern, so a
 * million-id list is never held by every subtask.
 */
public final class UserGate
    extends KeyedBroadcastProcessFunction<String, GateInput, FlagUpdate, PurchaseEvent> {

  private static final long serialVersionUID = 1L;

  /** Broadcast state holding the current flag snapshot as JSON under {@link #CURRENT}. */
  public static final MapStateDescriptor<String, String> FLAGS =
      new MapStateDescriptor<>("flag-snapshot", Types.STRING, Types.STRING);

  static final String CURRENT = "current";

  /** State names: part of the savepoint format, never rename. */
  static final String LIST_VERSIONS_STATE = "id-list-versions";

  static final String ENROLLED_STATE = "experiment-enrolled";
  static final String HELD_STATE = "held-purchases";
  static final String AWAITING_FLAGS_STATE = "awaiting-flags";

  /** A user keeps the last two versions of each list it was streamed in (see flags/README). */
  static final int VERSIONS_KEPT = 2;

  /** Admitted purchases held by their stream's killswitch. */
  static final ListStateDescriptor<PurchaseEvent> HELD =
      new ListStateDescriptor<>(HELD_STATE, Types.POJO(PurchaseEvent.class));

  /** Purchases that arrived before any flag document loaded, not yet judged. */
  static final ListStateDescriptor<PurchaseEvent> AWAITING_FLAGS =
      new ListStateDescriptor<>(AWAITING_FLAGS_STATE, Types.POJO(PurchaseEvent.class));

  private transient MapState<String, List<String>> listVersions;
  private transient ValueState<Boolean> enrolled;
  private transient ListState<PurchaseEvent> held;
  private transient ListState<PurchaseEvent> awaitingFlags;

  private transient String snapshotJson;
  private transient FlagSnapshot snapshot;

  private transient MetricGroup metrics;
  private transient Map<String, Counter> passed;
  private transient Map<String, Counter> dropped;
  private transient Counter heldCounter;
  private transient Counter awaitingFlagsCounter;
  private transient long awaitingNow;
  private transient Counter released;
  private transient Counter memberships;
  private transient Counter enrollments;
  private transient long heldNow;

  @Override
  public void open(OpenContext openContext) {
    listVersions =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    LIST_VERSIONS_STATE, Types.STRING, Types.LIST(Types.STRING)));
    enrolled =
        getRuntimeContext().getState(new ValueStateDescriptor<>(ENROLLED_STATE, Types.BOOLEAN));
    held = getRuntimeContext().getListState(HELD);
    awaitingFlags = getRuntimeContext().getListState(AWAITING_FLAGS);
    snapshot = FlagSnapshot.noDocumentYet();

    metrics = getRuntimeContext().getMetricGroup().addGroup("gate");
    passed = new HashMap<>();
    dropped = new HashMap<>();
    heldCounter = metrics.counter("held");
    awaitingFlagsCounter = metrics.counter("awaitingFlags");
    metrics.gauge("awaitingFlagsNow", () -> awaitingNow);
    released = metrics.counter("released");
    memberships = metrics.counter("idListMemberships");
    enrollments = metrics.counter("enrollments");
    metrics.gauge("heldNow", () -> heldNow);
    metrics.gauge("documentLoaded", () -> snapshot.hasDocument() ? 1 : 0);
    metrics.gauge(
        "receiptKillswitch",
        () -> snapshot.killswitchEngaged(FlagNames.RECEIPT_KILLSWITCH) ? 1 : 0);
    metrics.gauge(
        "factoidKillswitch",
        () -> snapshot.killswitchEngaged(FlagNames.FACTOID_KILLSWITCH) ? 1 : 0);
  }

  @Override
  public void processElement(GateInput input, ReadOnlyContext ctx, Collector<PurchaseEvent> out)
      throws Exception {
    if (input.purchase() != null) {
      admit(input.purchase(), current(ctx.getBroadcastState(FLAGS)), out);
    } else if (input.listKey() != null) {
      remember(input.listKey(), input.listVersion());
    } else if (input.enrolled() != null) {
      enrollments.inc();
      if (input.enrolled()) {
        enrolled.update(true);
      } else {
        enrolled.clear();
      }
    }
  }

  private void admit(PurchaseEvent event, FlagSnapshot flags, Collector<PurchaseEvent> out)
      throws Exception {
    if (!flags.hasDocument()) {
      awaitingFlags.add(event);
      awaitingFlagsCounter.inc();
      awaitingNow++;
      return;
    }
    String label;
    if (Boolean.TRUE.equals(enrolled.value())) {
      label = "enrolled";
    } else {
      IngestionDecision decision =
          flags.evaluateWithStoredVersions(FlagNames.INGESTION, event.userId(), storedVersions());
      label = decision.metricLabel();
      if (!decision.enabled()) {
        counter(dropped, "dropped_", label).inc();
        return;
      }
    }
    counter(passed, "passed_", label).inc();
    if (flags.killswitchEngaged(killswitchOf(event.origin()))) {
      held.add(event);
      heldCounter.inc();
      heldNow++;
      return;
    }
    out.collect(event);
  }

  @Override
  public void processBroadcastElement(FlagUpdate update, Context ctx, Collector<PurchaseEvent> out)
      throws Exception {
    if (!update.isSnapshot()) {
      throw new IllegalArgumentException("id-list members belong on the keyed input: " + update);
    }
    BroadcastState<String, String> state = ctx.getBroadcastState(FLAGS);
    state.put(CURRENT, update.snapshotJson());
    FlagSnapshot flags = current(state);
    long[] stillAwaiting = {0};
    ctx.applyToKeyedState(
        AWAITING_FLAGS,
        (user, events) -> {
          if (!flags.hasDocument()) {
            for (PurchaseEvent ignored : events.get()) {
              stillAwaiting[0]++;
            }
            return;
          }
          // applyToKeyedState sets the current key, so admit() sees this user's state.
          List<PurchaseEvent> waiting = new ArrayList<>();
          events.get().forEach(waiting::add);
          events.clear();
          for (PurchaseEvent event : waiting) {
            admit(event, flags, out);
          }
        });
    awaitingNow = stillAwaiting[0];
    // Release what a switched-off killswitch held, and recount what stays held (this also
    // restores the gauge after a restart, since the flag source re-emits its snapshot).
    long[] stillHeld = {0};
    ctx.applyToKeyedState(
        HELD,
        (user, events) -> {
          List<PurchaseEvent> keep = new ArrayList<>();
          for (PurchaseEvent event : events.get()) {
            if (flags.killswitchEngaged(killswitchOf(event.origin()))) {
              keep.add(event);
            } else {
              out.collect(event);
              released.inc();
            }
          }
          events.update(keep);
          stillHeld[0] += keep.size();
        });
    heldNow = stillHeld[0];
  }

  private FlagSnapshot current(ReadOnlyBroadcastState<String, String> state) throws Exception {
    String json = state.get(CURRENT);
    if (json != null && !json.equals(snapshotJson)) {
      snapshot = FlagSnapshot.fromJson(json);
      snapshotJson = json;
    }
    return snapshot;
  }

  private void remember(String listKey, String version) throws Exception {
    memberships.inc();
    List<String> versions = listVersions.get(listKey);
    List<String> updated = versions == null ? new ArrayList<>() : new ArrayList<>(versions);
    if (updated.contains(version)) {
      return;
    }
    updated.add(version);
    while (updated.size() > VERSIONS_KEPT) {
      updated.remove(0);
    }
    listVersions.put(listKey, updated);
  }

  private Map<String, List<String>> storedVersions() throws Exception {
    Map<String, List<String>> result = new HashMap<>();
    for (Map.Entry<String, List<String>> e : listVersions.entries()) {
      result.put(e.getKey(), e.getValue());
    }
    return result;
  }

  static String killswitchOf(Origin origin) {
    switch (origin) {
      case RECEIPT_STREAM:
        return FlagNames.RECEIPT_KILLSWITCH;
      case FACTOID_STREAM:
        return FlagNames.FACTOID_KILLSWITCH;
      default:
        throw new IllegalArgumentException(origin + " events do not pass the live gate");
    }
  }

  /** One counter per decision label, registered (and its name sanitised) on first use only. */
  private Counter counter(Map<String, Counter> counters, String prefix, String label) {
    return counters.computeIfAbsent(label, l -> metrics.counter(prefix + metricName(l)));
  }

  /** Metric names stay portable across reporters: segment names may contain anything. */
  static String metricName(String label) {
    return label.replaceAll("[^A-Za-z0-9_]", "_");
  }
}
