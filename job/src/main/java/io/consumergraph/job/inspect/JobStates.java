package io.consumergraph.job.inspect;

import static io.consumergraph.job.inspect.StateSpec.list;
import static io.consumergraph.job.inspect.StateSpec.map;
import static io.consumergraph.job.inspect.StateSpec.value;

import io.consumergraph.job.inspect.StateSpec.Shown;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.dedup.PurchaseDeduplicator;
import io.consumergraph.operators.gate.UserGate;
import java.io.Serializable;
import java.util.List;
import java.util.Optional;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * The job's stateful operators and their keyed state, keyed by user id, as the operators declare
 * them: uids, state names and types are the savepoint format (README, "Savepoint compatibility"),
 * so they are repeated here, never changed. TTLs are not: which states have one is read from the
 * snapshot ({@link Snapshot#ttlStates}), and every entry it holds is shown, expired or not.
 */
final class JobStates {

  private JobStates() {}

  /** One stateful operator: its uid and its keyed states. */
  record Operator(String uid, List<StateSpec> states) implements Serializable {

    Optional<StateSpec> state(String name) {
      return states.stream().filter(s -> s.name().equals(name)).findFirst();
    }
  }

  static final Operator USER_GATE =
      new Operator(
          "user-gate",
          List.of(
              list("held-purchases", Types.POJO(PurchaseEvent.class), Shown.PURCHASES),
              list("awaiting-flags", Types.POJO(PurchaseEvent.class), Shown.PURCHASES),
              list("awaiting-id-lists", Types.POJO(PurchaseEvent.class), Shown.PURCHASES),
              value("awaiting-id-lists-until", Types.LONG, Shown.TIME),
              map(
                  "id-list-versions",
                  Types.STRING,
                  Types.LIST(Types.STRING),
                  Shown.VERSIONS_BY_LIST),
              value("experiment-enrolled", Types.BOOLEAN, Shown.PLAIN),
              value("auto-load-mark", Types.STRING, Shown.PLAIN)));

  static final Operator DEDUP_PURCHASES =
      new Operator(
          "dedup-purchases",
          List.of(
              map(PurchaseDeduplicator.SEEN_STATE, Types.STRING, Types.LONG, Shown.TIMES_BY_ID)));

  static final Operator LOAD_COORDINATOR =
      new Operator(
          "load-coordinator",
          List.of(
              value("loaded-at", Types.LONG, Shown.TIME),
              map("seen-load-requests", Types.STRING, Types.LONG, Shown.TIMES_BY_ID),
              value("load-in-flight", Types.STRING, Shown.PLAIN),
              value("load-in-flight-since", Types.LONG, Shown.TIME),
              value("load-request-waiting", Types.POJO(UserLoadRequest.class), Shown.REQUEST)));

  static final Operator FULL_LOAD_MERGER =
      new Operator(
          "full-load-merger",
          List.of(
              map(
                  "recent-live-purchases",
                  Types.STRING,
                  Types.POJO(EnrichedPurchase.class),
                  Shown.PURCHASES),
              value("priority-lane", Types.BOOLEAN, Shown.PLAIN)));

  static final Operator AUTO_LOAD_THROTTLE =
      new Operator(
          "auto-load-throttle",
          List.of(value("auto-load-pending", Types.POJO(UserLoadRequest.class), Shown.REQUEST)));

  /** In the order the reports list them: the path a purchase takes, then the backfill's. */
  static final List<Operator> ALL =
      List.of(USER_GATE, DEDUP_PURCHASES, FULL_LOAD_MERGER, LOAD_COORDINATOR, AUTO_LOAD_THROTTLE);

  /** The gate's broadcast state: the current flag snapshot, one copy per subtask. */
  static final String FLAG_SNAPSHOT = UserGate.FLAGS.getName();

  static Optional<Operator> operator(String uid) {
    return ALL.stream().filter(o -> o.uid().equals(uid)).findFirst();
  }
}
