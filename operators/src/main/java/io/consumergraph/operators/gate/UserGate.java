package io.consumergraph.operators.gate;

import io.consumergraph.flags.ContentVersion;
import io.consumergraph.flags.FlagNames;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.IngestionDecision;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.apache.flink.streaming.api.TimerService;
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
 *
 * <p>The flag source streams a list version's members before the snapshot that makes it current,
 * but the two travel on different inputs, so a subtask can see the snapshot first. A purchase the
 * flag would drop while its user lacks a list version that became current less than {@code
 * idListGrace} ago is therefore not dropped yet: it waits in keyed state and is judged again when a
 * membership for its user arrives, or for good when the grace ends. A member's purchases during a
 * list change are late by the time its membership takes to arrive, never lost; a removed user's are
 * dropped after the grace.
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
  static final String AWAITING_LISTS_STATE = "awaiting-id-lists";

  /** A user keeps the last two versions of each list it was streamed in (see flags/README). */
  static final int VERSIONS_KEPT = 2;

  /** Admitted purchases held by their stream's killswitch. */
  static final ListStateDescriptor<PurchaseEvent> HELD =
      new ListStateDescriptor<>(HELD_STATE, Types.POJO(PurchaseEvent.class));

  /** Purchases that arrived before any flag document loaded, not yet judged. */
  static final ListStateDescriptor<PurchaseEvent> AWAITING_FLAGS =
      new ListStateDescriptor<>(AWAITING_FLAGS_STATE, Types.POJO(PurchaseEvent.class));

  /** Purchases the flag would drop while an id list version they lack is still streaming. */
  static final ListStateDescriptor<PurchaseEvent> AWAITING_LISTS =
      new ListStateDescriptor<>(AWAITING_LISTS_STATE, Types.POJO(PurchaseEvent.class));

  private final long idListGraceMs;

  private transient MapState<String, List<String>> listVersions;
  private transient ValueState<Boolean> enrolled;
  private transient ListState<PurchaseEvent> held;
  private transient ListState<PurchaseEvent> awaitingFlags;
  private transient ListState<PurchaseEvent> awaitingLists;

  /**
   * When this subtask first saw each list version ("key@version") current. Not checkpointed: after
   * a restore a version counts from its first use, which only delays drops by one grace.
   */
  private transient Map<String, Long> versionSeenAt;

  private transient String snapshotJson;
  private transient FlagSnapshot snapshot;

  private transient MetricGroup metrics;
  private transient Map<String, Counter> passed;
  private transient Map<String, Counter> dropped;
  private transient Counter heldCounter;
  private transient Counter awaitingFlagsCounter;
  private transient Counter awaitingListsCounter;
  private transient long awaitingNow;
  private transient Counter released;
  private transient Counter memberships;
  private transient Counter enrollments;
  private transient long heldNow;

  /**
   * @param idListGrace how long after a list version becomes current a purchase of a user lacking
   *     it waits for the membership instead of being dropped
   */
  public UserGate(Duration idListGrace) {
    if (idListGrace.isNegative()) {
      throw new IllegalArgumentException("idListGrace must not be negative: " + idListGrace);
    }
    this.idListGraceMs = idListGrace.toMillis();
  }

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
    awaitingLists = getRuntimeContext().getListState(AWAITING_LISTS);
    versionSeenAt = new HashMap<>();
    snapshot = FlagSnapshot.noDocumentYet();

    metrics = getRuntimeContext().getMetricGroup().addGroup("gate");
    passed = new HashMap<>();
    dropped = new HashMap<>();
    heldCounter = metrics.counter("held");
    awaitingFlagsCounter = metrics.counter("awaitingFlags");
    awaitingListsCounter = metrics.counter("awaitingIdLists");
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
      admit(input.purchase(), current(ctx.getBroadcastState(FLAGS)), out, ctx.timerService());
    } else if (input.listKey() != null) {
      remember(input.listKey(), input.listVersion());
      judgeAwaitingLists(current(ctx.getBroadcastState(FLAGS)), out, ctx.timerService());
    } else if (input.enrolled() != null) {
      enrollments.inc();
      if (input.enrolled()) {
        enrolled.update(true);
      } else {
        enrolled.clear();
      }
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PurchaseEvent> out)
      throws Exception {
    judgeAwaitingLists(current(ctx.getBroadcastState(FLAGS)), out, ctx.timerService());
  }

  /** Judges this user's purchases that wait for a list version again; some may wait on. */
  private void judgeAwaitingLists(
      FlagSnapshot flags, Collector<PurchaseEvent> out, TimerService timers) throws Exception {
    List<PurchaseEvent> waiting = new ArrayList<>();
    awaitingLists.get().forEach(waiting::add);
    if (waiting.isEmpty()) {
      return;
    }
    awaitingLists.clear();
    for (PurchaseEvent event : waiting) {
      admit(event, flags, out, timers);
    }
  }

  /**
   * The end of the grace of the newest list version current in {@code flags} that this user lacks,
   * or -1 when every version it lacks became current longer than the grace ago.
   */
  private long awaitingListUntil(FlagSnapshot flags, long now) throws Exception {
    long until = -1;
    for (Map.Entry<String, ContentVersion> list : flags.idListVersions().entrySet()) {
      String version = list.getValue().value();
      List<String> stored = listVersions.get(list.getKey());
      if (stored != null && stored.contains(version)) {
        continue;
      }
      long seen = versionSeenAt.computeIfAbsent(list.getKey() + "@" + version, v -> now);
      if (now < seen + idListGraceMs) {
        until = Math.max(until, seen + idListGraceMs);
      }
    }
    return until;
  }

  /**
   * Admits, holds or drops one purchase. {@code timers} is null where no timer can be set (the
   * broadcast side); a purchase judged there is never made to wait for a list version.
   */
  private void admit(
      PurchaseEvent event, FlagSnapshot flags, Collector<PurchaseEvent> out, TimerService timers)
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
        long until = timers == null ? -1 : awaitingListUntil(flags, timers.currentProcessingTime());
        if (until >= 0) {
          awaitingLists.add(event);
          awaitingListsCounter.inc();
          timers.registerProcessingTimeTimer(until);
          return;
        }
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
    long now = ctx.currentProcessingTime();
    Set<String> current = new HashSet<>();
    flags.idListVersions().forEach((key, version) -> current.add(key + "@" + version.value()));
    current.forEach(v -> versionSeenAt.putIfAbsent(v, now));
    versionSeenAt.keySet().retainAll(current);
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
            admit(event, flags, out, null);
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
