package io.consumergraph.operators.gate;

import static io.consumergraph.operators.gate.Flags.purchase;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.flags.DocumentLocation;
import io.consumergraph.flags.FlagDocumentFetcher;
import io.consumergraph.flags.FlagPoller;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.IdListMember;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.flags.FlagUpdate;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gate asks for the loads of users the flag newly lets through, and of no one else. */
class UserGateAutoLoadTest {

  private static final Duration GRACE = Duration.ofSeconds(60);
  private static final AutoLoad.Settings ON = new AutoLoad.Settings(true, 365, Duration.ofDays(30));

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

  private static String flags(String ingestion) {
    return "flags:\n  consumer_graph_ingestion:\n" + ingestion;
  }

  private static String rollout(int percent, String... teamIds) {
    if (teamIds.length == 0) {
      return flags("    enabled: true\n    rollout: " + percent + "\n");
    }
    return flags(
        "    enabled: true\n"
            + "    rollout: "
            + percent
            + "\n"
            + "    segments:\n"
            + "      - name: Team Users\n"
            + "        allowedIDs: ["
            + String.join(", ", teamIds)
            + "]\n");
  }

  private static final String BETA_LIST =
      flags(
          "    enabled: true\n"
              + "    rollout: 0\n"
              + "    segments:\n"
              + "      - name: Beta\n"
              + "        allowedS3IDs: beta.csv\n");

  private static final String FLAG_OFF = flags("    enabled: false\n");

  private static KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent>
      gate(AutoLoad.Settings settings, OperatorSubtaskState restoreFrom) throws Exception {
    var gate =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new UserGate(GRACE, settings), List.of(UserGate.FLAGS)),
            GateInput::userId,
            Types.STRING,
            1,
            1,
            0);
    if (restoreFrom != null) {
      gate.initializeState(restoreFrom);
    }
    gate.open();
    return gate;
  }

  private static KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent>
      gate() throws Exception {
    return gate(ON, null);
  }

  /** Publishes a document through the real poller; members reach the gate before the snapshot. */
  private void publish(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate,
      String yaml)
      throws Exception {
    Files.writeString(document, yaml, StandardCharsets.UTF_8);
    updates.clear();
    poller.pollOnce();
    List<FlagUpdate> members = new ArrayList<>();
    for (FlagUpdate update : updates) {
      if (update.isSnapshot()) {
        gate.processBroadcastElement(update, 0);
      } else {
        members.add(update);
      }
    }
    for (FlagUpdate m : members) {
      gate.processElement(GateInput.membership(m.userId(), m.listKey(), m.listVersion()), 0);
    }
  }

  private static void buy(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate,
      String user,
      String purchaseId)
      throws Exception {
    gate.processElement(GateInput.purchase(purchase(user, purchaseId, Origin.RECEIPT_STREAM)), 0);
  }

  private static List<UserLoadRequest> requests(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate) {
    List<UserLoadRequest> requests = new ArrayList<>();
    var side = gate.getSideOutput(UserGate.AUTO_LOADS);
    if (side != null) {
      for (StreamRecord<UserLoadRequest> r : side) {
        requests.add(r.getValue());
      }
    }
    return requests;
  }

  private static List<String> requested(
      KeyedBroadcastOperatorTestHarness<String, GateInput, FlagUpdate, PurchaseEvent> gate) {
    return requests(gate).stream().map(r -> r.userId() + (r.force() ? " forced" : "")).toList();
  }

  @Test
  void aGrownRolloutOrSegmentAsksOnceForEachNewlyEnabledUserAtItsFirstAdmittedPurchase()
      throws Exception {
    try (var gate = gate()) {
      publish(gate, rollout(0, "\"team\""));
      buy(gate, "team", "t1");
      buy(gate, "late", "l1"); // not enabled yet: dropped, nothing asked
      assertThat(requested(gate)).as("the baseline's users are the initial backfill's").isEmpty();

      publish(gate, rollout(0, "\"team\"", "\"joiner\""));
      buy(gate, "joiner", "j1");
      buy(gate, "joiner", "j2");
      publish(gate, rollout(100, "\"team\"", "\"joiner\""));
      buy(gate, "late", "l2");
      buy(gate, "late", "l3");
      buy(gate, "team", "t2");

      assertThat(requested(gate)).containsExactly("joiner", "late");
      UserLoadRequest first = requests(gate).get(0);
      assertThat(first.reason()).isEqualTo(AutoLoad.REASON_ENABLED);
      assertThat(first.lookbackDays()).isEqualTo(365);
      assertThat(first.priority()).isEqualTo("low");
      assertThat(first.source()).isEqualTo(AutoLoad.SOURCE);
      // Every purchase still went on as before.
      assertThat(gate.extractOutputValues())
          .extracting(PurchaseEvent::purchaseId)
          .containsExactly("t1", "j1", "j2", "l2", "l3", "t2");
    }
  }

  @Test
  void aNewIdListMemberIsAskedForWhenItsMembershipArrivesBeforeItBuysAnything() throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu1\n");
    try (var gate = gate()) {
      publish(gate, BETA_LIST);
      assertThat(requested(gate)).isEmpty();

      Files.writeString(dir.resolve("beta.csv"), "user_id\nu1\nu2\nu3\n");
      publish(gate, BETA_LIST);
      assertThat(requested(gate)).containsExactlyInAnyOrder("u2", "u3");

      buy(gate, "u2", "a");
      assertThat(requested(gate)).as("asked once").hasSize(2);
    }
  }

  @Test
  void aNewIdListMemberWhoseMembershipOvertakesItsSnapshotIsAskedForOnceTheSnapshotArrives()
      throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu1\n");
    try (var gate = gate()) {
      publish(gate, BETA_LIST);

      // The flag source sends the new version's members first, on the keyed input, and the
      // snapshot that makes the version current on the broadcast input: here they arrive in
      // that order.
      Files.writeString(dir.resolve("beta.csv"), "user_id\nu1\nu2\n");
      updates.clear();
      poller.pollOnce();
      FlagUpdate snapshot = updates.stream().filter(FlagUpdate::isSnapshot).findFirst().get();
      for (FlagUpdate m : updates) {
        if (!m.isSnapshot()) {
          gate.processElement(GateInput.membership(m.userId(), m.listKey(), m.listVersion()), 0);
        }
      }
      assertThat(requested(gate)).as("judged against the version still current").isEmpty();
      gate.processBroadcastElement(snapshot, 0);
      assertThat(requested(gate)).isEmpty();

      gate.setProcessingTime(UserGate.MEMBERSHIP_RECHECK_MS);
      assertThat(requested(gate)).containsExactly("u2");
      assertThat(requests(gate).get(0).reason()).isEqualTo(AutoLoad.REASON_ENABLED);

      gate.setProcessingTime(GRACE.toMillis() + UserGate.MEMBERSHIP_RECHECK_MS);
      buy(gate, "u2", "a");
      assertThat(requested(gate)).as("asked once").containsExactly("u2");
    }
  }

  @Test
  void aUserWhosePurchasesTheFlagDroppedIsAskedForWhenLetThroughAgain() throws Exception {
    try (var gate = gate()) {
      publish(gate, rollout(100));
      buy(gate, "steady", "s1");
      buy(gate, "paused", "p1");

      publish(gate, FLAG_OFF);
      buy(gate, "paused", "p2"); // dropped: the graph now lacks it

      publish(gate, rollout(100));
      buy(gate, "paused", "p3");
      buy(gate, "paused", "p4");
      buy(gate, "steady", "s2");

      assertThat(requested(gate)).containsExactly("paused");
      assertThat(requests(gate).get(0).reason()).isEqualTo(AutoLoad.REASON_REENABLED);
    }
  }

  @Test
  void aNewlyEnabledUserDroppedAgainAfterItsRequestIsAskedForAgain() throws Exception {
    try (var gate = gate()) {
      publish(gate, rollout(0));
      publish(gate, rollout(100));
      buy(gate, "u", "a");
      publish(gate, rollout(0));
      buy(gate, "u", "b");
      buy(gate, "never", "c"); // never let through: no mark is kept for it
      publish(gate, rollout(100));
      buy(gate, "u", "d");
      buy(gate, "never", "e");

      assertThat(requests(gate))
          .extracting(r -> r.userId() + " " + r.reason())
          .containsExactly(
              "u " + AutoLoad.REASON_ENABLED,
              "u " + AutoLoad.REASON_REENABLED,
              "never " + AutoLoad.REASON_ENABLED);
      assertThat(requests(gate)).noneMatch(UserLoadRequest::force);
    }
  }

  @Test
  void enrolledUsersAreTheEnrollmentQueuesBusiness() throws Exception {
    try (var gate = gate()) {
      publish(gate, rollout(0));
      gate.processElement(GateInput.enrollment("e", true), 0);
      buy(gate, "e", "a");
      assertThat(gate.extractOutputValues()).hasSize(1);
      assertThat(requested(gate)).isEmpty();
    }
  }

  @Test
  void theBaselineAndTheMarksSurviveASnapshotAndRestore() throws Exception {
    OperatorSubtaskState state;
    try (var gate = gate()) {
      publish(gate, rollout(0));
      publish(gate, rollout(100));
      buy(gate, "asked", "a1");
      assertThat(requested(gate)).containsExactly("asked");
      state = gate.snapshot(1, 1);
    }
    try (var restored = gate(ON, state)) {
      // The flag source sends its snapshot again after a restore: not a new baseline.
      publish(restored, rollout(100));
      buy(restored, "asked", "a2");
      buy(restored, "other", "o1");
      assertThat(requested(restored)).containsExactly("other");
    }
  }

  @Test
  void theSameAdmissionReplayedIsTheSameRequest() throws Exception {
    List<String> ids = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (var gate = gate()) {
        publish(gate, rollout(0));
        publish(gate, rollout(100));
        buy(gate, "u", "p1");
        ids.add(requests(gate).get(0).requestId());
      }
    }
    assertThat(ids.get(0)).isEqualTo(ids.get(1));
  }

  @Test
  void withAutoLoadOffNothingIsAsked() throws Exception {
    try (var gate = gate(AutoLoad.Settings.off(), null)) {
      publish(gate, rollout(0));
      publish(gate, rollout(100));
      buy(gate, "u", "p1");
      assertThat(gate.extractOutputValues()).hasSize(1);
      assertThat(requested(gate)).isEmpty();
    }
  }
}
