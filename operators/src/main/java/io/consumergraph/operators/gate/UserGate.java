package io.consumergraph.operators.gate;

import io.consumergraph.flags.ContentVersion;
import io.consumergraph.flags.FlagNames;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.IngestionDecision;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.operators.state.StateTtl;
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
 * flag would drop, but would admit were its user in the list versions it lacks that became current
 * less than {@code idListGrace} ago, is therefore not dropped yet: it waits in keyed state, is
 * judged again whenever something arrives for its user (a membership, an enrollment, a purchase),
 * and for good {@code idListGrace} after it started waiting. The deadline is fixed when the user's
 * first purchase starts waiting and never extended, so waiting is bounded whatever the lists do. A
 * member's purchases during a list change are late by the time its membership takes to arrive,
 * never lost; a removed user's are dropped after the grace.
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
  static final String AWAITING_LISTS_UNTIL_STATE = "awaiting-id-lists-until";

  /**
   * A safety net for purchases parked on the broadcast side (no timer there) whose user never sends
   * anything again: expired unjudged, which is what judging would do (drop) without the count.
   */
  static final Duration AWAITING_LISTS_TTL = Duration.ofDays(1);

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
      StateTtl.expireAfterWrite(
          new ListStateDescriptor<>(AWAITING_LISTS_STATE, Types.POJO(PurchaseEvent.class)),
          AWAITING_LISTS_TTL);

  /** When this user's waiting purchases are judged for good; set by the first one to wait. */
  static final ValueStateDescriptor<Long> AWAITING_LISTS_UNTIL =
      StateTtl.expireAfterWrite(
          new ValueStateDescriptor<>(AWAITING_LISTS_UNTIL_STATE, Types.LONG), AWAITING_LISTS_TTL);

  private final long idListGraceMs;

  private transient MapState<String, List<String>> listVersions;
  private transient ValueState<Boolean> enrolled;
  private transient ListState<PurchaseEvent> held;
  private transient ListState<PurchaseEvent> awaitingFlags;
  private transient ListState<PurchaseEvent> awaitingLists;
  private transient ValueState<Long> awaitingListsUntil;

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
    awaitingListsUntil = getRuntimeContext().getState(AWAITING_LISTS_UNTIL);
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
    FlagSnapshot flags = current(ctx.getBroadcastState(FLAGS));
    TimerService timers = ctx.timerService();
    if (input.purchase() != null) {
      admit(input.purchase(), flags, out, timers.currentProcessingTime(), timers);
      return;
    }
    if (input.listKey() != null) {
      remember(input.listKey(), input.listVersion());
    } else if (input.enrolled() != null) {
      enrollments.inc();
      if (input.enrolled()) {
        enrolled.update(true);
      } else {
        enrolled.clear();
      }
    }
    judgeAwaitingLists(flags, out, timers, timers.currentProcessingTime());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PurchaseEvent> out)
      throws Exception {
    judgeAwaitingLists(current(ctx.getBroadcastState(FLAGS)), out, ctx.timerService(), timestamp);
  }

  /**
   * Judges this user's waiting purchases again: admitted ones go on, the others wait on until the
   * deadline and are dropped at it. {@code timers} is null on the broadcast side.
   */
  private void judgeAwaitingLists(
      FlagSnapshot flags, Collector<PurchaseEvent> out, TimerService timers, long now)
      throws Exception {
    Long until = awaitingListsUntil.value();
    if (until == null) {
      return;
    }
    boolean last = now >= until;
    List<PurchaseEvent> waitOn = new ArrayList<>();
    for (PurchaseEvent event : awaitingLists.get()) {
      IngestionDecision decision = decide(event, flags);
      if (decision == null || decision.enabled()) {
        pass(event, flags, decision, out);
      } else if (last) {
        counter(dropped, "dropped_", decision.metricLabel()).inc();
      } else {
        waitOn.add(event);
      }
    }
    if (waitOn.isEmpty()) {
      awaitingLists.clear();
      awaitingListsUntil.clear();
    } else {
      awaitingLists.update(waitOn);
      if (timers != null) {
        // Again, for purchases that started waiting on the broadcast side, where none was set.
        timers.registerProcessingTimeTimer(until);
      }
    }
  }

  /**
   * Whether the flag would admit the user were it in every list version it lacks that became
   * current less than the grace ago; false when it lacks no such version. Reads no state unless
   * some list version is that recent.
   */
  private boolean couldBeAdmittedByStreamingLists(FlagSnapshot flags, String userId, long now)
      throws Exception {
    List<String> recent = null;
    for (Map.Entry<String, ContentVersion> list : flags.idListVersions().entrySet()) {
      long seen =
          versionSeenAt.computeIfAbsent(list.getKey() + "@" + list.getValue().value(), v -> now);
      if (now < seen + idListGraceMs) {
        if (recent == null) {
          recent = new ArrayList<>();
        }
        recent.add(list.getKey());
      }
    }
    if (recent == null) {
      return false;
    }
    Set<String> lists = new HashSet<>(flags.currentLists(storedVersions()));
    boolean lacksOne = false;
    for (String key : recent) {
      lacksOne |= lists.add(key);
    }
    return lacksOne && flags.evaluate(FlagNames.INGESTION, userId, lists).enabled();
  }

  /** The flag's decision for the purchase's user; null when an enrollment admits it. */
  private IngestionDecision decide(PurchaseEvent event, FlagSnapshot flags) throws Exception {
    if (Boolean.TRUE.equals(enrolled.value())) {
      return null;
    }
    return flags.evaluateWithStoredVersions(FlagNames.INGESTION, event.userId(), storedVersions());
  }

  /**
   * Admits, holds, parks or drops one purchase. {@code timers} is null on the broadcast side, where
   * no timer can be set: a purchase parked there is judged again when something next arrives for
   * its user.
   */
  private void admit(
      PurchaseEvent event,
      FlagSnapshot flags,
      Collector<PurchaseEvent> out,
      long now,
      TimerService timers)
      throws Exception {
    if (!flags.hasDocument()) {
      awaitingFlags.add(event);
      awaitingFlagsCounter.inc();
      awaitingNow++;
      return;
    }
    IngestionDecision decision = decide(event, flags);
    if (decision != null && !decision.enabled()) {
      // What already waits may have passed its deadline with no timer to fire it (it started
      // waiting on the broadcast side): judge it first.
      judgeAwaitingLists(flags, out, timers, now);
      if (couldBeAdmittedByStreamingLists(flags, event.userId(), now)) {
        Long until = awaitingListsUntil.value();
        if (until == null) {
          until = now + idListGraceMs;
          awaitingListsUntil.update(until);
        }
        awaitingLists.add(event);
        awaitingListsCounter.inc();
        if (timers != null) {
          timers.registerProcessingTimeTimer(until);
        }
        return;
      }
      counter(dropped, "dropped_", decision.metricLabel()).inc();
      return;
    }
    pass(event, flags, decision, out);
  }

  /** An admitted purchase: held while its stream's killswitch is on, else emitted. */
  private void pass(
      PurchaseEvent event,
      FlagSnapshot flags,
      IngestionDecision decision,
      Collector<PurchaseEvent> out)
      throws Exception {
    counter(passed, "passed_", decision == null ? "enrolled" : decision.metricLabel()).inc();
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
            admit(event, flags, out, now, null);
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
