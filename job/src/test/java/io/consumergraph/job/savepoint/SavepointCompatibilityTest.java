package io.consumergraph.job.savepoint;

import static io.consumergraph.job.savepoint.SavepointFixture.HELD_RECEIPT;
import static io.consumergraph.job.savepoint.SavepointFixture.HELD_USER;
import static io.consumergraph.job.savepoint.SavepointFixture.LIVE_RECEIPTS;
import static io.consumergraph.job.savepoint.SavepointFixture.LIVE_USER;
import static io.consumergraph.job.savepoint.SavepointFixture.LOADED_USER;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.flags.ContentVersion;
import io.consumergraph.flags.DocumentLocation;
import io.consumergraph.flags.FlagDocumentParser;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.job.ConsumerGraphJob;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.model.Channel;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.MergeInput;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.model.UserHistory;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.backfill.LoadCoordinator;
import io.consumergraph.operators.dedup.PurchaseDeduplicator;
import io.consumergraph.operators.flags.FlagUpdate;
import io.consumergraph.operators.gate.GateInput;
import io.consumergraph.operators.gate.UserGate;
import io.consumergraph.operators.merge.FullLoadMerger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.jobgraph.JobVertex;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.state.api.runtime.OperatorIDGenerator;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The savepoint format is a public API: a savepoint written by an earlier build (the committed
 * fixture) must map onto today's job (every operator with state keeps its uid) and restore into
 * today's operators (state names and serializers unchanged), with its contents intact.
 */
class SavepointCompatibilityTest {

  /** The state-bearing operators the fixture must cover; a new one means a new fixture. */
  private static final List<String> STATEFUL_UIDS =
      List.of(
          "receipts-source",
          "factoids-source",
          "enrollments-source",
          "load-requests-source",
          "load-outcomes-source",
          "user-gate",
          "dedup-purchases",
          "load-coordinator",
          "full-load-merger");

  private static CheckpointMetadata fixture;

  /** Processing time for the restored operators: just after the fixture was taken, so TTLs hold. */
  private static long now;

  @BeforeAll
  static void loadFixture() throws Exception {
    fixture =
        SavepointLoader.loadSavepointMetadata(
            SavepointFixture.SAVEPOINT.toAbsolutePath().toString());
    now = SavepointFixture.createdAtMs() + 60_000;
  }

  @Test
  void everyOperatorWithStateInTheFixtureHasItsUidInTodaysJob(@TempDir Path dir) throws Exception {
    Map<OperatorID, String> job = operatorsOfTodaysJob(dir);
    List<String> orphaned = new ArrayList<>();
    for (OperatorState operator : fixture.getOperatorStates()) {
      if (hasState(operator) && !job.containsKey(operator.getOperatorID())) {
        orphaned.add(operator.getOperatorUid().orElse(operator.getOperatorID().toString()));
      }
    }
    assertThat(orphaned)
        .as(
            "operators whose state the fixture holds but today's job lacks (a renamed or removed"
                + " uid: Flink would refuse to restore the savepoint)")
        .isEmpty();
    assertThat(job.values()).containsAll(STATEFUL_UIDS);
  }

  @Test
  void theFixtureCoversEveryStatefulOperatorAtTheJobsMaxParallelism() {
    Map<String, OperatorState> byUid = new HashMap<>();
    for (OperatorState operator : fixture.getOperatorStates()) {
      operator.getOperatorUid().ifPresent(uid -> byUid.put(uid, operator));
    }
    for (String uid : STATEFUL_UIDS) {
      assertThat(byUid).as("the fixture's operators").containsKey(uid);
      assertThat(hasState(byUid.get(uid))).as("state of " + uid).isTrue();
      assertThat(byUid.get(uid).getMaxParallelism())
          .as("max parallelism of " + uid + " (key groups are part of the savepoint format)")
          .isEqualTo(ConsumerGraphJob.MAX_PARALLELISM);
    }
  }

  @Test
  void theDedupStateStillKnowsTheLivePurchaseIds() throws Exception {
    try (var dedup =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PurchaseDeduplicator(Duration.ofDays(7))),
            PurchaseEvent::userId,
            Types.STRING,
            ConsumerGraphJob.MAX_PARALLELISM,
            1,
            0)) {
      restore(dedup, "dedup-purchases");
      for (String id : LIVE_RECEIPTS) {
        dedup.processElement(purchase(LIVE_USER, id), now);
      }
      dedup.processElement(purchase(LIVE_USER, "not-in-the-fixture"), now);

      assertThat(dedup.extractOutputValues())
          .extracting(PurchaseEvent::purchaseId)
          .containsExactly("not-in-the-fixture");
    }
  }

  @Test
  void theCoordinatorStillHoldsTheLoadedMark() throws Exception {
    try (var coordinator =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(
                new LoadCoordinator(Duration.ofDays(7), Duration.ofMinutes(30))),
            UserLoadRequest::userId,
            LoadOutcome::userId,
            Types.STRING,
            ConsumerGraphJob.MAX_PARALLELISM,
            1,
            0)) {
      restore(coordinator, "load-coordinator");
      coordinator.processElement1(request(LOADED_USER, "check-unforced", false), now);
      coordinator.processElement1(request(LOADED_USER, "check-forced", true), now);
      coordinator.processElement1(request(LIVE_USER, "check-never-loaded", false), now);

      assertThat(coordinator.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("check-forced", "check-never-loaded");
    }
  }

  @Test
  void theMergerStillHoldsTheRecentLivePurchases() throws Exception {
    try (var merger =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new FullLoadMerger(Duration.ofDays(3))),
            MergeInput::userId,
            Types.STRING,
            ConsumerGraphJob.MAX_PARALLELISM,
            1,
            0)) {
      restore(merger, "full-load-merger");
      merger.processElement(
          MergeInput.history(
              new UserHistory(
                  request(LIVE_USER, "check-load", false), now, new EnrichedPurchase[0], null)),
          now);

      List<GraphUpdate> out = merger.extractOutputValues();
      assertThat(out).hasSize(1);
      assertThat(out.get(0).fullLoad()).isTrue();
      assertThat(Arrays.stream(out.get(0).purchases()).map(EnrichedPurchase::purchaseId))
          .containsExactlyInAnyOrderElementsOf(LIVE_RECEIPTS);
    }
  }

  @Test
  void theGateStillHoldsTheReceiptUnderItsKillswitchAndReleasesItOnce() throws Exception {
    try (var gate =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                new UserGate(Duration.ofSeconds(60)), List.of(UserGate.FLAGS)),
            GateInput::userId,
            Types.STRING,
            ConsumerGraphJob.MAX_PARALLELISM,
            1,
            0)) {
      restore(gate, "user-gate");
      // The restored broadcast state still has the killswitch on: a new receipt is held too.
      gate.processElement(GateInput.purchase(purchase(HELD_USER, "held-after-restore")), now);
      assertThat(gate.extractOutputValues()).isEmpty();

      gate.processBroadcastElement(FlagUpdate.snapshot(killswitchOff()), now);

      assertThat(gate.extractOutputValues())
          .extracting(PurchaseEvent::purchaseId)
          .containsExactlyInAnyOrder(HELD_RECEIPT, "held-after-restore");
    }
  }

  // ------------------------------------------------------------------------------------------

  private static void restore(
      org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness<?> harness, String uid)
      throws Exception {
    harness.setStateTtlProcessingTime(now);
    harness.setProcessingTime(now);
    harness.initializeState(subtaskState(uid));
    harness.open();
  }

  private static OperatorSubtaskState subtaskState(String uid) {
    for (OperatorState operator : fixture.getOperatorStates()) {
      if (operator.getOperatorUid().filter(uid::equals).isPresent()) {
        assertThat(operator.getParallelism()).isEqualTo(SavepointFixture.PARALLELISM);
        return operator.getState(0);
      }
    }
    throw new AssertionError("the fixture holds no operator " + uid);
  }

  private static boolean hasState(OperatorState operator) {
    return operator.getCoordinatorState() != null
        || operator.getStates().stream().anyMatch(OperatorSubtaskState::hasState);
  }

  /** Today's job graph with every optional input on; operator id to uid. */
  private static Map<OperatorID, String> operatorsOfTodaysJob(Path dir) throws Exception {
    Path flags = dir.resolve("flags.yaml");
    Files.writeString(flags, "flags:\n  consumer_graph_ingestion: { enabled: false }\n");
    Configuration c = new Configuration();
    c.set(JobOptions.KAFKA_BOOTSTRAP_SERVERS, "localhost:9092");
    c.set(JobOptions.ENROLLMENTS_TOPIC, "enrollments");
    c.set(JobOptions.FLAGS_LOCATION, flags.toString());
    c.set(JobOptions.SQS_QUEUE_URL, "http://localhost:9324/000000000000/bulk");
    c.set(JobOptions.SQS_ENROLLMENT_QUEUE_URL, "http://localhost:9324/000000000000/enrollment");
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, "http://localhost:9324/000000000000/dlq");
    c.set(JobOptions.SQS_ENDPOINT, "http://localhost:9324");
    JobConfig config = JobConfig.of(c);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            ConsumerGraphJob.flinkConfiguration(config));
    ConsumerGraphJob.topology(config, false).build(env);
    StreamGraph streamGraph = env.getStreamGraph();
    Map<OperatorID, String> uids = new HashMap<>();
    for (StreamNode node : streamGraph.getStreamNodes()) {
      if (node.getTransformationUID() != null) {
        uids.put(
            OperatorIDGenerator.fromUid(node.getTransformationUID()), node.getTransformationUID());
      }
    }
    // The ids Flink matches a savepoint's operators against on restore.
    JobGraph graph = streamGraph.getJobGraph();
    Map<OperatorID, String> operators = new HashMap<>();
    for (JobVertex vertex : graph.getVertices()) {
      for (var ids : vertex.getOperatorIDs()) {
        OperatorID id = ids.getUserDefinedOperatorID().orElse(ids.getGeneratedOperatorID());
        operators.put(id, uids.getOrDefault(id, vertex.getName()));
      }
    }
    return operators;
  }

  private static String killswitchOff() throws Exception {
    String yaml =
        "flags:\n"
            + "  consumer_graph_ingestion: { enabled: true, rollout: 100 }\n"
            + "  consumer_graph_receipt_killswitch: { enabled: false }\n"
            + "  consumer_graph_factoid_killswitch: { enabled: false }\n";
    return new FlagSnapshot(
            new FlagDocumentParser().parse(yaml),
            yaml,
            DocumentLocation.file(Path.of("flags.yaml")),
            new ContentVersion("compatibility-check"),
            Map.of(),
            Instant.ofEpochMilli(now))
        .toJson();
  }

  private static PurchaseEvent purchase(String user, String id) {
    return new PurchaseEvent(
        user,
        id,
        Channel.RECEIPT,
        Origin.RECEIPT_STREAM,
        now - 120_000,
        "retailer-1",
        "Shop",
        new PurchasedItem[] {new PurchasedItem("fido-1", "Milk", "Brand", 1, 1)});
  }

  private static UserLoadRequest request(String user, String id, boolean force) {
    return new UserLoadRequest(id, user, "batch_backfill", now, 365, "low", force, "bulk");
  }
}
