package io.consumergraph.operators.gate;

import static io.consumergraph.operators.gate.Flags.purchase;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.flags.DocumentLocation;
import io.consumergraph.flags.FlagDocumentFetcher;
import io.consumergraph.flags.FlagPoller;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.IdListMember;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.operators.flags.FlagUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserGateTest {

  private static final Duration GRACE = Duration.ofSeconds(60);

  @TempDir Path dir;

  private Path document;
  private FlagPoller poller;
  private final List<FlagUpdate> updates = new ArrayList<>();

  @BeforeEach
  void poller() {
    document = dir.resolve("flags.yaml");
    poller =
        new FlagPoller(
            DocumentLocation.file(document),
            FlagDocumentFetcher.create(FlagDocumentFetcher.Settings.defaults()),
            new FlagPoller.Listener() {
              @Override
              public void onSnapshot(FlagSnapshot snapshot) {
                updates.add(FlagUpdate.snapshot(snapshot.toJson()));
              }

              @Override
              public void onIdListMember(IdListMember m) {
                updates.add(FlagUpdate.member(m.listKey(), m.listVersion(), m.userId()));
              }
            });
  }

  /** Publishes a flag document through the real poller and feeds what it emits to the gate. */
  private void publish(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate,
      String yaml)
      throws Exception {
    poll(gate, yaml, true);
  }

  /**
   * Polls a flag document and feeds the gate only its snapshot, as when the broadcast overtakes the
   * members; returns the members for the test to deliver later.
   */
  private List<FlagUpdate> publishSnapshotOnly(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate,
      String yaml)
      throws Exception {
    return poll(gate, yaml, false);
  }

  /**
   * Polls the document; the snapshot goes to the gate, the members before it when {@code
   * membersFirst} (as the flag source emits them), else back to the caller.
   */
  private List<FlagUpdate> poll(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate,
      String yaml,
      boolean membersFirst)
      throws Exception {
    Files.writeString(document, yaml, StandardCharsets.UTF_8);
    updates.clear();
    poller.pollOnce();
    List<FlagUpdate> members = new ArrayList<>();
    for (FlagUpdate update : updates) {
      if (update.isSnapshot()) {
        gate.processBroadcastElement(update, 0);
      } else if (membersFirst) {
        deliver(gate, List.of(update));
      } else {
        members.add(update);
      }
    }
    return members;
  }

  private static void deliver(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate,
      List<FlagUpdate> members)
      throws Exception {
    for (FlagUpdate m : members) {
      gate.processElement(GateInput.membership(m.userId(), m.listKey(), m.listVersion()), 0);
    }
  }

  private static KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent>
      restore(OperatorSubtaskState state) throws Exception {
    var restored =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(new UserGate(GRACE), List.of(UserGate.FLAGS)),
            GateInput::userId,
            Types.STRING,
            1,
            1,
            0);
    restored.initializeState(state);
    restored.open();
    return restored;
  }

  private static String flags(String ingestion, boolean receiptKillswitch) {
    return "flags:\n"
        + "  consumer_graph_ingestion:\n"
        + ingestion
        + "  consumer_graph_receipt_killswitch: { enabled: "
        + receiptKillswitch
        + " }\n"
        + "  consumer_graph_factoid_killswitch: { enabled: false }\n";
  }

  private static final String TEAM_ONLY =
      "    enabled: true\n"
          + "    rollout: 0\n"
          + "    segments:\n"
          + "      - name: Team Users\n"
          + "        allowedIDs: [\"u1\"]\n";

  private static final String EVERYONE = "    enabled: true\n    rollout: 100\n";

  /** Only the members of the id list in beta.csv, next to the document. */
  private static final String BETA_LIST =
      "    enabled: true\n"
          + "    rollout: 0\n"
          + "    segments:\n"
          + "      - name: Beta\n"
          + "        allowedS3IDs: beta.csv\n";

  private static KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent>
      gate() throws Exception {
    return ProcessFunctionTestHarnesses.forKeyedBroadcastProcessFunction(
        new UserGate(GRACE), GateInput::userId, Types.STRING, UserGate.FLAGS);
  }

  /** A gate on RocksDB, the job's state backend, releasing at most {@code releaseBatch} a call. */
  private static KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent>
      gate(int releaseBatch) throws Exception {
    var gate =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new UserGate(GRACE, AutoLoad.Settings.off(), releaseBatch),
                List.of(UserGate.FLAGS)),
            GateInput::userId,
            Types.STRING,
            1,
            1,
            0);
    gate.setStateBackend(new EmbeddedRocksDBStateBackend());
    gate.open();
    return gate;
  }

  private static List<String> ids(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate) {
    List<String> ids = new ArrayList<>();
    for (PurchaseEvent e : gate.extractOutputValues()) {
      ids.add(e.userId() + "/" + e.purchaseId());
    }
    return ids;
  }

  @Test
  void purchasesBeforeTheFirstDocumentWaitAndAreJudgedWhenItArrives() throws Exception {
    try (var gate = gate()) {
      gate.processElement(GateInput.purchase(purchase("u1", "r1", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u2", "r2", Origin.RECEIPT_STREAM)), 0);
      assertThat(gate.extractOutputValues()).isEmpty();

      publish(gate, flags(TEAM_ONLY, false));

      assertThat(ids(gate)).containsExactly("u1/r1");
    }
  }

  @Test
  void inlineSegmentAdmitsItsUsersAndOthersAreDropped() throws Exception {
    try (var gate = gate()) {
      publish(gate, flags(TEAM_ONLY, false));
      gate.processElement(GateInput.purchase(purchase("u1", "r1", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u2", "r2", Origin.RECEIPT_STREAM)), 0);

      assertThat(ids(gate)).containsExactly("u1/r1");
    }
  }

  @Test
  void idListMembersLiveInKeyedStateAndLeaveWithTheNextVersion() throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\nu8\n");
    try (var gate = gate()) {
      publish(gate, flags(BETA_LIST, false));
      gate.processElement(GateInput.purchase(purchase("u7", "a", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u9", "b", Origin.RECEIPT_STREAM)), 0);
      assertThat(ids(gate)).containsExactly("u7/a");
      gate.setProcessingTime(GRACE.toMillis()); // u9 is in no version: dropped after the grace

      Files.writeString(dir.resolve("beta.csv"), "user_id\nu8\nu9\n");
      publish(gate, flags(BETA_LIST, false));
      gate.processElement(GateInput.purchase(purchase("u7", "c", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u9", "d", Origin.RECEIPT_STREAM)), 0);
      assertThat(ids(gate)).containsExactly("u7/a", "u9/d");

      // u7 left with the new version: its purchase waits out the grace, then is dropped.
      gate.setProcessingTime(2 * GRACE.toMillis());
      assertThat(ids(gate)).containsExactly("u7/a", "u9/d");
      gate.processElement(GateInput.purchase(purchase("u7", "e", Origin.RECEIPT_STREAM)), 0);
      assertThat(ids(gate)).as("dropped at once after the grace").containsExactly("u7/a", "u9/d");
      assertThat(gate.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void aSnapshotThatOvertakesItsListMembersDelaysTheirPurchasesInsteadOfDroppingThem()
      throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\n");
    try (var gate = gate()) {
      publish(gate, flags(BETA_LIST, false));

      // A new list version: u7 stays, u9 joins. The snapshot reaches the gate before the members.
      Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\nu9\n");
      List<FlagUpdate> members = publishSnapshotOnly(gate, flags(BETA_LIST, false));
      assertThat(members).extracting(FlagUpdate::userId).containsExactlyInAnyOrder("u7", "u9");
      gate.setProcessingTime(1_000);
      gate.processElement(GateInput.purchase(purchase("u7", "a", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u9", "b", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u5", "c", Origin.RECEIPT_STREAM)), 0);
      assertThat(ids(gate)).as("judged only once their memberships arrive").isEmpty();

      deliver(gate, members);
      assertThat(ids(gate)).containsExactlyInAnyOrder("u7/a", "u9/b");

      // u5 is in no version: dropped a grace after it started waiting, not before.
      gate.setProcessingTime(1_000 + GRACE.toMillis() - 1);
      assertThat(gate.numProcessingTimeTimers()).isPositive();
      gate.setProcessingTime(1_000 + GRACE.toMillis());
      assertThat(ids(gate)).containsExactlyInAnyOrder("u7/a", "u9/b");
      assertThat(gate.numProcessingTimeTimers()).isZero();
    }
  }

  @Test
  void purchasesFromBeforeTheFirstDocumentAlsoWaitForMembersTheSnapshotOvertook() throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\n");
    try (var gate = gate()) {
      gate.processElement(GateInput.purchase(purchase("u7", "a", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u5", "b", Origin.RECEIPT_STREAM)), 0);

      List<FlagUpdate> members = publishSnapshotOnly(gate, flags(BETA_LIST, false));
      assertThat(ids(gate)).isEmpty();
      deliver(gate, members);
      assertThat(ids(gate)).containsExactly("u7/a");

      // u5 waited on the broadcast side, without a timer: its next purchase after the deadline
      // settles both.
      gate.setProcessingTime(GRACE.toMillis());
      gate.processElement(GateInput.purchase(purchase("u5", "c", Origin.RECEIPT_STREAM)), 0);
      Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\nu5\n");
      publish(gate, flags(BETA_LIST, false));
      assertThat(ids(gate)).as("u5's earlier purchases were dropped").containsExactly("u7/a");
    }
  }

  @Test
  void newerListVersionsDoNotExtendTheWait() throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\n");
    try (var gate = gate()) {
      publishSnapshotOnly(gate, flags(BETA_LIST, false));
      gate.setProcessingTime(1_000);
      gate.processElement(GateInput.purchase(purchase("u5", "a", Origin.RECEIPT_STREAM)), 0);

      // Another version half-way through the wait, u5 still absent: the wait still ends on time.
      gate.setProcessingTime(30_000);
      Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\nu8\n");
      publishSnapshotOnly(gate, flags(BETA_LIST, false));
      gate.setProcessingTime(1_000 + GRACE.toMillis());
      assertThat(gate.numProcessingTimeTimers()).isZero();

      // Had it waited on, joining now would let it through.
      Files.writeString(dir.resolve("beta.csv"), "user_id\nu5\n");
      publish(gate, flags(BETA_LIST, false));
      assertThat(ids(gate)).isEmpty();
    }
  }

  @Test
  void aPurchaseNoMembershipCouldAdmitIsDroppedAtOnce() throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\n");
    String off = BETA_LIST.replace("enabled: true", "enabled: false");
    try (var gate = gate()) {
      publishSnapshotOnly(gate, flags(off, false));
      gate.processElement(GateInput.purchase(purchase("u7", "a", Origin.RECEIPT_STREAM)), 0);
      assertThat(gate.numProcessingTimeTimers()).as("the flag is off: nothing waits").isZero();
      assertThat(ids(gate)).isEmpty();
    }
  }

  @Test
  void purchasesWaitingForAListVersionSurviveASnapshotAndRestore() throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu7\n");
    OperatorSubtaskState state;
    List<FlagUpdate> members;
    try (var gate = gate()) {
      members = publishSnapshotOnly(gate, flags(BETA_LIST, false));
      gate.processElement(GateInput.purchase(purchase("u7", "a", Origin.RECEIPT_STREAM)), 0);
      assertThat(ids(gate)).isEmpty();
      state = gate.snapshot(1, 1);
    }
    try (var restored = restore(state)) {
      deliver(restored, members);
      assertThat(ids(restored)).containsExactly("u7/a");
    }
  }

  @Test
  void whatWaitsForAnIdListExpiresAfterADayAndRocksDbCompactsItAway() {
    for (var descriptor : List.of(UserGate.AWAITING_LISTS, UserGate.AWAITING_LISTS_UNTIL)) {
      var ttl = descriptor.getTtlConfig();
      assertThat(ttl.getTimeToLive()).isEqualTo(Duration.ofDays(1));
      assertThat(ttl.getCleanupStrategies().getRocksdbCompactFilterCleanupStrategy()).isNotNull();
    }
  }

  @Test
  void anEnrolledUserPassesAlthoughTheFlagExcludesIt() throws Exception {
    try (var gate = gate()) {
      publish(gate, flags(TEAM_ONLY, false));
      gate.processElement(GateInput.enrollment("u5", true), 0);
      gate.processElement(GateInput.purchase(purchase("u5", "r5", Origin.FACTOID_STREAM)), 0);
      gate.processElement(GateInput.enrollment("u5", false), 0);
      gate.processElement(GateInput.purchase(purchase("u5", "r6", Origin.FACTOID_STREAM)), 0);

      assertThat(ids(gate)).containsExactly("u5/r5");
    }
  }

  @Test
  void aKillswitchHoldsItsStreamAndReleasesEverythingOnceWhenTurnedOff() throws Exception {
    try (var gate = gate()) {
      publish(gate, flags(EVERYONE, true));
      gate.processElement(GateInput.purchase(purchase("u1", "r1", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u2", "r2", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u1", "o1", Origin.FACTOID_STREAM)), 0);
      assertThat(ids(gate)).containsExactly("u1/o1");

      publish(gate, flags(EVERYONE, true));
      assertThat(ids(gate)).containsExactly("u1/o1");

      publish(gate, flags(EVERYONE, false));
      publish(gate, flags(EVERYONE, false));
      assertThat(ids(gate)).containsExactlyInAnyOrder("u1/o1", "u1/r1", "u2/r2");
    }
  }

  @Test
  void heldPurchasesSurviveASnapshotAndRestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var gate = gate()) {
      publish(gate, flags(EVERYONE, true));
      gate.processElement(GateInput.purchase(purchase("u1", "r1", Origin.RECEIPT_STREAM)), 0);
      snapshot = gate.snapshot(1, 1);
    }
    try (var restored = restore(snapshot)) {
      publish(restored, flags(EVERYONE, false));

      assertThat(ids(restored)).containsExactly("u1/r1");
    }
  }

  @Test
  void aReleaseGoesInBatchesOneWithTheSnapshotAndOnePerTick() throws Exception {
    try (var gate = gate(3)) {
      publish(gate, flags(EVERYONE, true));
      for (int i = 0; i < 10; i++) {
        gate.processElement(
            GateInput.purchase(purchase("u" + (i % 4), "r" + i, Origin.RECEIPT_STREAM)), 0);
      }
      assertThat(ids(gate)).isEmpty();

      publish(gate, flags(EVERYONE, false));
      assertThat(ids(gate)).hasSize(3);
      gate.processBroadcastElement(FlagUpdate.tick(), 0);
      assertThat(ids(gate)).hasSize(6);
      gate.processBroadcastElement(FlagUpdate.tick(), 0);
      gate.processBroadcastElement(FlagUpdate.tick(), 0);
      gate.processBroadcastElement(FlagUpdate.tick(), 0);

      assertThat(ids(gate)).hasSize(10).doesNotHaveDuplicates();
      // Each user's purchases came out in the order they were held.
      Map<String, List<String>> byUser = new TreeMap<>();
      for (String id : ids(gate)) {
        byUser.computeIfAbsent(id.split("/")[0], k -> new ArrayList<>()).add(id.split("/")[1]);
      }
      assertThat(byUser)
          .containsEntry("u0", List.of("r0", "r4", "r8"))
          .containsEntry("u1", List.of("r1", "r5", "r9"))
          .containsEntry("u2", List.of("r2", "r6"))
          .containsEntry("u3", List.of("r3", "r7"));
    }
  }

  @Test
  void duringAReleaseAUsersNewPurchaseComesAfterWhatItsUserHadHeld() throws Exception {
    try (var gate = gate(1)) {
      publish(gate, flags(EVERYONE, true));
      gate.processElement(GateInput.purchase(purchase("u1", "r1", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u2", "r2", Origin.RECEIPT_STREAM)), 0);
      gate.processElement(GateInput.purchase(purchase("u2", "r3", Origin.RECEIPT_STREAM)), 0);

      publish(gate, flags(EVERYONE, false));
      gate.processElement(GateInput.purchase(purchase("u2", "r4", Origin.RECEIPT_STREAM)), 0);
      List<String> soFar = ids(gate);
      assertThat(soFar.subList(soFar.size() - 3, soFar.size()))
          .containsExactly("u2/r2", "u2/r3", "u2/r4");

      gate.processBroadcastElement(FlagUpdate.tick(), 0);
      gate.processBroadcastElement(FlagUpdate.tick(), 0);
      assertThat(ids(gate)).containsExactlyInAnyOrder("u1/r1", "u2/r2", "u2/r3", "u2/r4");
    }
  }

  @Test
  void ticksReleaseNothingWhileTheKillswitchIsOnAndNothingTwiceAfter() throws Exception {
    try (var gate = gate(2)) {
      publish(gate, flags(EVERYONE, true));
      gate.processElement(GateInput.purchase(purchase("u1", "r1", Origin.RECEIPT_STREAM)), 0);
      gate.processBroadcastElement(FlagUpdate.tick(), 0);
      assertThat(ids(gate)).isEmpty();

      publish(gate, flags(EVERYONE, false));
      gate.processBroadcastElement(FlagUpdate.tick(), 0);
      gate.processBroadcastElement(FlagUpdate.tick(), 0);
      assertThat(ids(gate)).containsExactly("u1/r1");
    }
  }

  @Test
  void aReleaseBatchBelowOneIsRefused() {
    assertThatThrownBy(() -> new UserGate(GRACE, AutoLoad.Settings.off(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1");
  }
}
