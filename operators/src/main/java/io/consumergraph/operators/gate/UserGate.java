package io.consumergraph.operators.gate;

import io.consumergraph.flags.ContentVersion;
import io.consumergraph.flags.FlagNames;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.flags.FlagUpdate;
import io.consumergraph.operators.gate.AdmissionPolicy.Admission;
import io.consumergraph.operators.metrics.MetricGroups;
import io.consumergraph.operators.state.StateTtl;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
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
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Decides per user whether a live purchase is processed ({@link AdmissionPolicy}): the ingestion
 * flag or an experiment enrollment lets it through; a stream's killswitch holds it in keyed state
 * until the switch is turned off ({@link KillswitchHold}), so nothing is lost. This function holds
 * the state and timers and counts ({@link GateMetrics}); the parts decide.
 *
 * <p>Keyed by user id. The flag snapshot arrives on the broadcast side; id-list memberships and
 * enrollments arrive on the keyed side and live in the state of the user they concern, so a
 * million-id list is never held by every subtask. As the snapshot can overtake the memberships, a
 * purchase the flag refuses may wait for them ({@link IdListWait}): it is judged again whenever
 * something arrives for its user (a membership, an enrollment, a purchase), and for good {@code
 * idListGrace} after its user's first purchase started waiting. A member's purchases during a list
 * change are late by the time its membership takes to arrive, never lost; a removed user's are
 * dropped after the grace.
 *
 * <p>Turning a killswitch off releases what it held in slices of {@code releaseBatch} purchases per
 * subtask: one with the snapshot, then one on each tick of the flag source (every second), so a
 * release of a million held purchases is many short calls with checkpoints between them, never one
 * call that a checkpoint barrier waits behind. While a release goes on, a user's own purchases
 * release its held ones first, so each user's purchases stay in order.
 *
 * <p>With {@link AutoLoad} on, the gate also asks for the history load of each user the flag newly
 * lets through, on the side output {@link #AUTO_LOADS}. A new id-list member is asked for when its
 * membership arrives; one that arrives ahead of the snapshot making its version current is judged
 * again on a timer ({@link #MEMBERSHIP_RECHECK_MS}, and a grace later).
 */
public final class UserGate
    extends KeyedBroadcastProcessFunction<String, GateInput, FlagUpdate, PurchaseEvent> {

  private static final long serialVersionUID = 1L;

  /** Broadcast state holding the current flag snapshot as JSON under {@link #CURRENT}. */
  public static final MapStateDescriptor<String, String> FLAGS =
      new MapStateDescriptor<>("flag-snapshot", Types.STRING, Types.STRING);

  static final String CURRENT = "current";

  /** The first snapshot seen with auto-load on, which decides who is newly enabled. */
  static final String BASELINE = "auto-load-baseline";

  /** Load requests for users the flag newly lets through ({@link AutoLoad}). */
  public static final OutputTag<UserLoadRequest> AUTO_LOADS =
      new OutputTag<>("auto-load-requests", Types.POJO(UserLoadRequest.class));

  /** State names: part of the savepoint format, never rename. */
  static final String LIST_VERSIONS_STATE = "id-list-versions";

  static final String ENROLLED_STATE = "experiment-enrolled";
  static final String HELD_STATE = "held-purchases";
  static final String AWAITING_FLAGS_STATE = "awaiting-flags";
  static final String AWAITING_LISTS_STATE = "awaiting-id-lists";
  static final String AWAITING_LISTS_UNTIL_STATE = "awaiting-id-lists-until";
  static final String AUTO_LOAD_MARK_STATE = "auto-load-mark";

  /**
   * A safety net for purchases parked on the broadcast side (no timer there) whose user never sends
   * anything again: expired unjudged, which is what judging would do (drop) without the count.
   */
  static final Duration AWAITING_LISTS_TTL = Duration.ofDays(1);

  /** Held purchases released per subtask with a snapshot or a tick of the flag source. */
  public static final int DEFAULT_RELEASE_BATCH = 2_000;

  /**
   * With auto-load on, how soon a membership that arrived ahead of the snapshot making its list
   * version current is judged again (and once more a grace after it arrived).
   */
  static final long MEMBERSHIP_RECHECK_MS = 1_000;

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

  private final Duration idListGrace;
  private final AutoLoad.Settings autoLoad;
  private final int releaseBatch;

  private transient MapState<String, List<String>> listVersions;
  private transient ValueState<Boolean> enrolled;
  private transient ListState<PurchaseEvent> held;
  private transient ListState<PurchaseEvent> awaitingFlags;
  private transient ListState<PurchaseEvent> awaitingLists;
  private transient ValueState<Long> awaitingListsUntil;
  private transient ValueState<String> autoLoadMark;

  private transient IdListWait idListWait;
  private transient String snapshotJson;
  private transient FlagSnapshot snapshot;
  private transient String baselineJson;
  private transient FlagSnapshot baseline;
  private transient GateMetrics metrics;

  /** A killswitch was turned off and what it held is not all released yet. */
  private transient boolean releasePending;

  /** Whether the held gauge was recounted since this instance opened (a restore). */
  private transient boolean heldCounted;

  /**
   * @param idListGrace how long after a list version becomes current a purchase of a user lacking
   *     it waits for the membership instead of being dropped
   */
  public UserGate(Duration idListGrace) {
    this(idListGrace, AutoLoad.Settings.off());
  }

  /**
   * @param autoLoad whether and how the gate asks for the loads of newly enabled users
   */
  public UserGate(Duration idListGrace, AutoLoad.Settings autoLoad) {
    this(idListGrace, autoLoad, DEFAULT_RELEASE_BATCH);
  }

  /**
   * @param releaseBatch held purchases released per subtask with a snapshot or a tick, once their
   *     killswitch is off
   */
  public UserGate(Duration idListGrace, AutoLoad.Settings autoLoad, int releaseBatch) {
    this.idListGrace = IdListWait.checkGrace(idListGrace);
    this.autoLoad = Objects.requireNonNull(autoLoad, "autoLoad");
    if (releaseBatch < 1) {
      throw new IllegalArgumentException(
          "the killswitch release batch must be at least 1, got " + releaseBatch);
    }
    this.releaseBatch = releaseBatch;
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
    if (autoLoad.enabled()) {
      autoLoadMark =
          getRuntimeContext()
              .getState(
                  StateTtl.expireAfterWrite(
                      new ValueStateDescriptor<>(AUTO_LOAD_MARK_STATE, Types.STRING),
                      autoLoad.markTtl()));
    }
    idListWait = new IdListWait(idListGrace);
    snapshot = FlagSnapshot.noDocumentYet();
    metrics = new GateMetrics(MetricGroups.of(getRuntimeContext()), () -> snapshot);
  }

  @Override
  public void processElement(GateInput input, ReadOnlyContext ctx, Collector<PurchaseEvent> out)
      throws Exception {
    FlagSnapshot flags = current(ctx.getBroadcastState(FLAGS));
    TimerService timers = ctx.timerService();
    Consumer<UserLoadRequest> autoLoads = request -> ctx.output(AUTO_LOADS, request);
    long now = timers.currentProcessingTime();
    if (input.purchase() != null) {
      admit(input.purchase(), flags, out, autoLoads, now, timers);
      return;
    }
    if (input.listKey() != null) {
      remember(input.listKey(), input.listVersion());
      if (autoLoad.enabled() && flags.hasDocument()) {
        // A segment's new member is found here, before it buys anything.
        Admission admission = admission(flags, input.userId(), storedVersions());
        if (admission.admitted()) {
          admitted(
              input.userId(),
              admission,
              "id-list:" + input.listKey() + "@" + input.listVersion(),
              now,
              autoLoads);
        } else if (!isCurrent(flags, input.listKey(), input.listVersion())) {
          // The flag source streams a version's members before the snapshot that makes it
          // current, on the other input: judged now, the member counts against the old version.
          // Judge it again once that snapshot has had time to arrive, and for good a grace later.
          timers.registerProcessingTimeTimer(now + MEMBERSHIP_RECHECK_MS);
          timers.registerProcessingTimeTimer(
              now + Math.max(MEMBERSHIP_RECHECK_MS, idListGrace.toMillis()));
        }
      }
    } else if (input.enrolled() != null) {
      metrics.enrollments.inc();
      if (input.enrolled()) {
        enrolled.update(true);
      } else {
        enrolled.clear();
      }
    }
    judgeAwaitingLists(flags, input.userId(), out, autoLoads, timers, now);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PurchaseEvent> out)
      throws Exception {
    FlagSnapshot flags = current(ctx.getBroadcastState(FLAGS));
    Consumer<UserLoadRequest> autoLoads = request -> ctx.output(AUTO_LOADS, request);
    String userId = ctx.getCurrentKey();
    judgeAwaitingLists(flags, userId, out, autoLoads, ctx.timerService(), timestamp);
    if (autoLoad.enabled() && flags.hasDocument()) {
      // A membership that arrived ahead of its snapshot, or a waiting purchase's deadline (its
      // admission already asked, if it asks at all: the mark makes this a no-op then).
      Map<String, List<String>> stored = storedVersions();
      Admission admission = admission(flags, userId, stored);
      if (admission.admitted()) {
        admitted(
            userId,
            admission,
            "id-list:" + currentMemberships(flags, stored),
            timestamp,
            autoLoads);
      }
    }
  }

  /** Whether the snapshot's current version of the list is this one. */
  private static boolean isCurrent(FlagSnapshot flags, String listKey, String version) {
    ContentVersion current = flags.idListVersions().get(listKey);
    return current != null && current.value().equals(version);
  }

  /** "key@version" of each current list version this user is a member of, sorted. */
  private static String currentMemberships(FlagSnapshot flags, Map<String, List<String>> stored) {
    List<String> lists = new ArrayList<>();
    flags
        .idListVersions()
        .forEach(
            (key, version) -> {
              List<String> versions = stored.get(key);
              if (versions != null && versions.contains(version.value())) {
                lists.add(key + "@" + version.value());
              }
            });
    Collections.sort(lists);
    return String.join(",", lists);
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
      Consumer<UserLoadRequest> autoLoads,
      long now,
      TimerService timers)
      throws Exception {
    Map<String, List<String>> stored = storedVersions();
    Admission admission = admission(flags, event.userId(), stored);
    switch (admission.verdict()) {
      case AWAIT_DOCUMENT -> {
        awaitingFlags.add(event);
        metrics.awaitingFlags.inc();
        metrics.awaitingFlagsNow++;
      }
      case ADMIT -> pass(event, flags, admission, out, autoLoads, now);
      case REFUSE -> {
        // What already waits may have passed its deadline with no timer to fire it (it started
        // waiting on the broadcast side): judge it first.
        judgeAwaitingLists(flags, event.userId(), out, autoLoads, timers, now);
        if (idListWait.shouldWait(flags, event.userId(), stored, now)) {
          awaitLists(event, now, timers);
        } else {
          metrics.dropped(admission.label()).inc();
          dropped(event.userId());
        }
      }
    }
  }

  private void awaitLists(PurchaseEvent event, long now, TimerService timers) throws Exception {
    Long until = awaitingListsUntil.value();
    long deadline = idListWait.deadline(until, now);
    if (until == null) {
      awaitingListsUntil.update(deadline);
    }
    awaitingLists.add(event);
    metrics.awaitingIdLists.inc();
    if (timers != null) {
      timers.registerProcessingTimeTimer(deadline);
    }
  }

  /**
   * Judges this user's waiting purchases again: admitted ones go on, the others wait on until the
   * deadline and are dropped at it. {@code timers} is null on the broadcast side.
   */
  private void judgeAwaitingLists(
      FlagSnapshot flags,
      String userId,
      Collector<PurchaseEvent> out,
      Consumer<UserLoadRequest> autoLoads,
      TimerService timers,
      long now)
      throws Exception {
    Long until = awaitingListsUntil.value();
    if (until == null) {
      return;
    }
    Admission admission = admission(flags, userId, storedVersions());
    List<PurchaseEvent> waiting = new ArrayList<>();
    awaitingLists.get().forEach(waiting::add);
    IdListWait.Step step = IdListWait.rejudge(admission, until, now);
    if (step == IdListWait.Step.WAIT_ON && !waiting.isEmpty()) {
      awaitingLists.update(waiting);
      if (timers != null) {
        // Again, for purchases that started waiting on the broadcast side, where none was set.
        timers.registerProcessingTimeTimer(until);
      }
      return;
    }
    if (step == IdListWait.Step.ADMIT) {
      for (PurchaseEvent event : waiting) {
        pass(event, flags, admission, out, autoLoads, now);
      }
    } else if (step == IdListWait.Step.DROP && !waiting.isEmpty()) {
      metrics.dropped(admission.label()).inc(waiting.size());
      dropped(userId);
    }
    awaitingLists.clear();
    awaitingListsUntil.clear();
  }

  /** An admitted purchase: held while its stream's killswitch is on, else emitted. */
  private void pass(
      PurchaseEvent event,
      FlagSnapshot flags,
      Admission admission,
      Collector<PurchaseEvent> out,
      Consumer<UserLoadRequest> autoLoads,
      long now)
      throws Exception {
    metrics.passed(admission.label()).inc();
    admitted(event.userId(), admission, event.purchaseId(), now, autoLoads);
    if (releasePending) {
      // This user's held purchases go first, so its purchases stay in order.
      releaseUser(flags, out, Integer.MAX_VALUE);
    }
    if (KillswitchHold.holds(flags, event)) {
      held.add(event);
      metrics.held.inc();
      metrics.heldNow++;
      return;
    }
    out.collect(event);
  }

  @Override
  public void processBroadcastElement(FlagUpdate update, Context ctx, Collector<PurchaseEvent> out)
      throws Exception {
    if (update.isTick()) {
      if (releasePending) {
        releaseHeld(ctx, current(ctx.getBroadcastState(FLAGS)), out);
      }
      return;
    }
    if (!update.isSnapshot()) {
      throw new IllegalArgumentException("id-list members belong on the keyed input: " + update);
    }
    BroadcastState<String, String> state = ctx.getBroadcastState(FLAGS);
    FlagSnapshot before = current(state);
    state.put(CURRENT, update.snapshotJson());
    FlagSnapshot flags = current(state);
    if (autoLoad.enabled() && flags.hasDocument() && !state.contains(BASELINE)) {
      state.put(BASELINE, update.snapshotJson());
      current(state);
    }
    Consumer<UserLoadRequest> autoLoads = request -> ctx.output(AUTO_LOADS, request);
    long now = ctx.currentProcessingTime();
    idListWait.snapshotArrived(flags, now);
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
            admit(event, flags, out, autoLoads, now, null);
          }
        });
    metrics.awaitingFlagsNow = stillAwaiting[0];
    if (!heldCounted) {
      // The first snapshot since a restore: count what is held (the flag source re-sends its
      // snapshot after a restore) and release what no killswitch holds any more.
      recountHeld(ctx);
      heldCounted = true;
      releasePending = true;
    } else if (turnedOff(before, flags, FlagNames.RECEIPT_KILLSWITCH)
        || turnedOff(before, flags, FlagNames.FACTOID_KILLSWITCH)) {
      releasePending = true;
    }
    if (releasePending) {
      releaseHeld(ctx, flags, out);
    }
  }

  private static boolean turnedOff(FlagSnapshot before, FlagSnapshot after, String killswitch) {
    return before.killswitchEngaged(killswitch) && !after.killswitchEngaged(killswitch);
  }

  /** Stops a pass over the held purchases once its batch is released. */
  private static final class BatchReleased extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BatchReleased() {
      super(null, null, false, false);
    }
  }

  private static final BatchReleased BATCH_RELEASED = new BatchReleased();

  private static boolean stoppedByBatch(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t == BATCH_RELEASED) {
        return true;
      }
    }
    return false;
  }

  /**
   * Releases up to {@code releaseBatch} held purchases that no killswitch holds any more, user by
   * user; the release is over when a pass finds fewer.
   */
  private void releaseHeld(Context ctx, FlagSnapshot flags, Collector<PurchaseEvent> out)
      throws Exception {
    int[] left = {releaseBatch};
    try {
      ctx.applyToKeyedState(
          HELD,
          (user, events) -> {
            if (left[0] <= 0) {
              throw BATCH_RELEASED;
            }
            left[0] -= releaseUser(flags, out, left[0]);
          });
    } catch (RuntimeException e) {
      // The state backend wraps what the function throws.
      if (!stoppedByBatch(e)) {
        throw e;
      }
      metrics.releasing = true;
      return;
    }
    releasePending = left[0] <= 0;
    metrics.releasing = releasePending;
  }

  /**
   * Releases up to {@code limit} of the current user's held purchases that no killswitch holds;
   * returns how many.
   */
  private int releaseUser(FlagSnapshot flags, Collector<PurchaseEvent> out, int limit)
      throws Exception {
    int[] released = {0};
    Iterable<PurchaseEvent> events = held.get();
    if (events == null) {
      return 0;
    }
    List<PurchaseEvent> keep =
        KillswitchHold.release(
            flags,
            events,
            limit,
            event -> {
              out.collect(event);
              released[0]++;
            });
    if (released[0] > 0) {
      held.update(keep);
      metrics.released.inc(released[0]);
      metrics.heldNow -= released[0];
    }
    return released[0];
  }

  private void recountHeld(Context ctx) throws Exception {
    long[] count = {0};
    ctx.applyToKeyedState(
        HELD,
        (user, events) -> {
          for (PurchaseEvent ignored : events.get()) {
            count[0]++;
          }
        });
    metrics.heldNow = count[0];
  }

  private Admission admission(
      FlagSnapshot flags, String userId, Map<String, List<String>> storedVersions)
      throws Exception {
    return AdmissionPolicy.admit(
        flags, userId, Boolean.TRUE.equals(enrolled.value()), storedVersions);
  }

  private FlagSnapshot current(ReadOnlyBroadcastState<String, String> state) throws Exception {
    String json = state.get(CURRENT);
    if (json != null && !json.equals(snapshotJson)) {
      snapshot = FlagSnapshot.fromJson(json);
      snapshotJson = json;
    }
    if (autoLoad.enabled()) {
      String base = state.get(BASELINE);
      if (base != null && !base.equals(baselineJson)) {
        baseline = base.equals(snapshotJson) ? snapshot : FlagSnapshot.fromJson(base);
        baselineJson = base;
      }
    }
    return snapshot;
  }

  /**
   * The flag (not an enrollment) let a purchase or a membership of this user through: ask for its
   * load if it is newly enabled or had purchases dropped ({@link AutoLoad}).
   */
  private void admitted(
      String userId,
      Admission admission,
      String trigger,
      long now,
      Consumer<UserLoadRequest> autoLoads)
      throws Exception {
    if (!autoLoad.enabled() || admission.equals(Admission.ENROLLED)) {
      return;
    }
    AutoLoad.Mark mark = mark();
    UserLoadRequest request =
        AutoLoad.onAdmitted(
            autoLoad, userId, mark, mark == null && baselineAdmits(userId), trigger, now);
    if (request != null) {
      autoLoadMark.update(AutoLoad.Mark.REQUESTED.name());
      metrics.autoLoadRequests.inc();
      if (mark == AutoLoad.Mark.MISSED) {
        metrics.autoLoadReenabledRequests.inc();
      }
      autoLoads.accept(request);
    }
  }

  /** The flag dropped a purchase of this user: remember it if the user was let through before. */
  private void dropped(String userId) throws Exception {
    if (!autoLoad.enabled()) {
      return;
    }
    AutoLoad.Mark mark = mark();
    AutoLoad.Mark next = AutoLoad.onDropped(mark, mark == null && baselineAdmits(userId));
    if (next != null && next != mark) {
      autoLoadMark.update(next.name());
    }
  }

  private AutoLoad.Mark mark() throws Exception {
    String stored = autoLoadMark.value();
    return stored == null ? null : AutoLoad.Mark.valueOf(stored);
  }

  /**
   * Whether the baseline admitted the user. Without one yet (restored from a job that ran without
   * auto-load, before the flag source re-sent its snapshot) the current document stands in, so
   * nobody counts as newly enabled.
   */
  private boolean baselineAdmits(String userId) throws Exception {
    FlagSnapshot base = baseline != null ? baseline : snapshot;
    return base.hasDocument()
        && base.evaluateWithStoredVersions(FlagNames.INGESTION, userId, storedVersions()).enabled();
  }

  private void remember(String listKey, String version) throws Exception {
    metrics.idListMemberships.inc();
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
}
