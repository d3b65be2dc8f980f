package io.consumergraph.operators.gate;

import io.consumergraph.flags.FlagNames;
import io.consumergraph.flags.FlagSnapshot;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The gate's metrics, group {@value #GROUP} of the {@code user-gate} operator. Dashboards and
 * alerts use these names: never rename one.
 */
final class GateMetrics {

  static final String GROUP = "gate";

  /** One counter per decision label: {@code passed_rollout}, {@code dropped_none}, ... */
  static final String PASSED_PREFIX = "passed_";

  static final String DROPPED_PREFIX = "dropped_";

  static final String HELD = "held";
  static final String RELEASED = "released";
  static final String AWAITING_FLAGS = "awaitingFlags";
  static final String AWAITING_ID_LISTS = "awaitingIdLists";
  static final String ID_LIST_MEMBERSHIPS = "idListMemberships";
  static final String ENROLLMENTS = "enrollments";

  /**
   * Load requests for newly enabled users, and those of them for users enabled anew after the flag
   * dropped their purchases ({@link AutoLoad}).
   */
  static final String AUTO_LOAD_REQUESTS = "autoLoadRequests";

  static final String AUTO_LOAD_REENABLED_REQUESTS = "autoLoadReenabledRequests";

  /** Gauges. */
  static final String HELD_NOW = "heldNow";

  static final String AWAITING_FLAGS_NOW = "awaitingFlagsNow";

  /** 1 while a killswitch turned off has held purchases left to release on this subtask. */
  static final String RELEASING = "releasing";

  static final String DOCUMENT_LOADED = "documentLoaded";
  static final String RECEIPT_KILLSWITCH = "receiptKillswitch";
  static final String FACTOID_KILLSWITCH = "factoidKillswitch";

  final Counter held;
  final Counter released;
  final Counter awaitingFlags;
  final Counter awaitingIdLists;
  final Counter idListMemberships;
  final Counter enrollments;
  final Counter autoLoadRequests;
  final Counter autoLoadReenabledRequests;

  /** Purchases held by a killswitch now; recounted at the first snapshot after a restore. */
  volatile long heldNow;

  volatile boolean releasing;

  /** Purchases waiting for the first flag document now. */
  volatile long awaitingFlagsNow;

  private final MetricGroup group;
  private final Map<String, Counter> passed = new HashMap<>();
  private final Map<String, Counter> dropped = new HashMap<>();

  /** Registers the gate's metrics; the gauges read the snapshot {@code flags} returns. */
  GateMetrics(MetricGroup operator, Supplier<FlagSnapshot> flags) {
    group = operator.addGroup(GROUP);
    held = group.counter(HELD);
    awaitingFlags = group.counter(AWAITING_FLAGS);
    awaitingIdLists = group.counter(AWAITING_ID_LISTS);
    group.gauge(AWAITING_FLAGS_NOW, () -> awaitingFlagsNow);
    released = group.counter(RELEASED);
    idListMemberships = group.counter(ID_LIST_MEMBERSHIPS);
    enrollments = group.counter(ENROLLMENTS);
    autoLoadRequests = group.counter(AUTO_LOAD_REQUESTS);
    autoLoadReenabledRequests = group.counter(AUTO_LOAD_REENABLED_REQUESTS);
    group.gauge(HELD_NOW, () -> heldNow);
    group.gauge(RELEASING, () -> releasing ? 1 : 0);
    group.gauge(DOCUMENT_LOADED, () -> flags.get().hasDocument() ? 1 : 0);
    group.gauge(
        RECEIPT_KILLSWITCH,
        () -> flags.get().killswitchEngaged(FlagNames.RECEIPT_KILLSWITCH) ? 1 : 0);
    group.gauge(
        FACTOID_KILLSWITCH,
        () -> flags.get().killswitchEngaged(FlagNames.FACTOID_KILLSWITCH) ? 1 : 0);
  }

  /** The counter of purchases admitted under {@code label}, registered on first use. */
  Counter passed(String label) {
    return passed.computeIfAbsent(label, l -> group.counter(PASSED_PREFIX + metricName(l)));
  }

  /** The counter of purchases dropped under {@code label}, registered on first use. */
  Counter dropped(String label) {
    return dropped.computeIfAbsent(label, l -> group.counter(DROPPED_PREFIX + metricName(l)));
  }

  /** Metric names stay portable across reporters: segment names may contain anything. */
  static String metricName(String label) {
    return label.replaceAll("[^A-Za-z0-9_]", "_");
  }
}
