package io.consumergraph.job.inspect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.job.ConsumerGraphJob;
import io.consumergraph.job.testing.CollectingSink;
import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.operators.dedup.PurchaseDeduplicator;
import io.consumergraph.operators.poll.Poller;
import io.consumergraph.operators.poll.PollingSource;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.IncrementalRemoteKeyedStateHandle;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.runtime.SavepointLoader;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code state-inspect} on a retained checkpoint: the job's backend (RocksDB, incremental
 * checkpoints) writes a native format unlike a canonical savepoint's, and the tool reads it from
 * the job's checkpoint directory after the job was cancelled.
 */
class StateInspectCheckpointIT {

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void readsTheDedupStateOfARetainedIncrementalRocksDbCheckpoint(
      @InjectClusterClient ClusterClient<?> client) throws Exception {
    Path checkpoints = dir.resolve("checkpoints");
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(checkpoints));
    env.setParallelism(1);
    CollectingSink<PurchaseEvent> out = new CollectingSink<>();
    // user and purchase id; p-1 twice: the second is a duplicate and not stored again.
    List<String[]> purchases =
        List.of(
            new String[] {"user-a", "p-1"},
            new String[] {"user-a", "p-2"},
            new String[] {"user-b", "p-3"},
            new String[] {"user-a", "p-1"});
    env.fromSource(
            new PollingSource<>(new Once(purchases), Duration.ofMillis(50)),
            WatermarkStrategy.noWatermarks(),
            "purchases",
            Types.POJO(PurchaseEvent.class))
        .uid("purchases")
        .keyBy(PurchaseEvent::userId)
        .process(new PurchaseDeduplicator(Duration.ofDays(7)))
        .uid(JobStates.DEDUP_PURCHASES.uid())
        .name(JobStates.DEDUP_PURCHASES.uid())
        .sinkTo(out);
    JobID job = env.executeAsync("state-inspect-checkpoint").getJobID();

    waitFor(() -> out.received().size() == 3);
    long id = client.triggerCheckpoint(job, CheckpointType.DEFAULT).get();
    client.cancel(job).get();
    waitFor(() -> client.getJobStatus(job).get() == JobStatus.CANCELED);

    Path jobCheckpoints = checkpoints.resolve(job.toHexString());
    Path chk = jobCheckpoints.resolve("chk-" + id);
    assertThat(chk.resolve("_metadata")).as("the retained checkpoint").exists();
    assertThat(keyedStateHandles(chk))
        .as("RocksDB's native incremental format, not a canonical savepoint's")
        .isNotEmpty()
        .allMatch(h -> h instanceof IncrementalRemoteKeyedStateHandle);

    JsonNode totals = json(run("--path", jobCheckpoints.toString(), "--json"));
    assertThat(totals.get("kind").asText()).isEqualTo("checkpoint");
    assertThat(totals.get("checkpointId").asLong()).isEqualTo(id);
    assertThat(totals.get("snapshot").asText()).isEqualTo(chk.toString());
    assertThat(names(totals.get("absentOperators")))
        .containsExactlyInAnyOrder(
            "user-gate", "full-load-merger", "load-coordinator", "auto-load-throttle");
    JsonNode seen = totals.get("states").get(0);
    assertThat(seen.get("state").asText()).isEqualTo(PurchaseDeduplicator.SEEN_STATE);
    assertThat(seen.get("keys").asLong()).isEqualTo(2);
    assertThat(seen.get("entries").asLong()).isEqualTo(3);
    assertThat(seen.get("ttl").asBoolean()).as("read from the RocksDB metadata handle").isTrue();

    JsonNode userA = json(run("--path", chk.toString(), "--user", "user-a", "--json"));
    assertThat(fieldNames(userA.at("/operators/dedup-purchases/seen-purchase-ids")))
        .containsExactly("p-1", "p-2");
  }

  private static Configuration flinkConfiguration(Path checkpoints) {
    Configuration c = new Configuration();
    c.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    c.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    c.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    c.set(
        CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    // Only the checkpoint the test triggers matters; periodic ones would race with it.
    c.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofHours(1));
    c.set(CheckpointingOptions.MIN_PAUSE_BETWEEN_CHECKPOINTS, Duration.ofHours(1));
    c.set(PipelineOptions.MAX_PARALLELISM, ConsumerGraphJob.MAX_PARALLELISM);
    c.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    return c;
  }

  private static List<Object> keyedStateHandles(Path chk) throws Exception {
    var operatorId = OperatorIdentifier.forUid(JobStates.DEDUP_PURCHASES.uid()).getOperatorId();
    List<Object> handles = new ArrayList<>();
    for (OperatorState op :
        SavepointLoader.loadSavepointMetadata(chk.toString()).getOperatorStates()) {
      if (op.getOperatorID().equals(operatorId)) {
        for (OperatorSubtaskState subtask : op.getStates()) {
          handles.addAll(subtask.getManagedKeyedState().asList());
        }
      }
    }
    return handles;
  }

  /** Emits the purchases once, then nothing: the job runs on until it is cancelled. */
  private static final class Once implements Poller<PurchaseEvent> {
    private static final long serialVersionUID = 1L;
    private final List<String[]> purchases;
    private boolean emitted;

    Once(List<String[]> purchases) {
      this.purchases = purchases;
    }

    @Override
    public List<PurchaseEvent> poll() {
      if (emitted) {
        return List.of();
      }
      emitted = true;
      return purchases.stream().map(p -> purchase(p[0], p[1])).toList();
    }
  }

  private static PurchaseEvent purchase(String user, String id) {
    return new PurchaseEvent(
        user,
        id,
        Channel.RECEIPT,
        Origin.RECEIPT_STREAM,
        1_700_000_000_000L,
        "retailer-1",
        "Shop",
        new PurchasedItem[] {new PurchasedItem("fido-1", "Milk", "Brand", 1, 1)});
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  private static void waitFor(Check check) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!check.holds()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT);
      }
      Thread.sleep(50);
    }
  }

  private static String run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = StateInspect.execute(new PrintWriter(out), new PrintWriter(err), args);
    assertThat(exit).as(err.toString()).isZero();
    return out.toString();
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static List<String> names(JsonNode array) {
    List<String> names = new ArrayList<>();
    array.forEach(n -> names.add(n.asText()));
    return names;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }
}
