package io.consumergraph.job;

import static io.consumergraph.job.config.JobOptions.FLAGS_LOCATION;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.job.backfill.BackfillPath;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.live.LivePath;
import io.consumergraph.job.testing.CollectingSink;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmptySource;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.model.Channel;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.Origin;
import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.model.UserHistory;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.model.proto.Store;
import io.consumergraph.operators.enrich.CatalogLookup;
import io.consumergraph.operators.enrich.CatalogLookupFactory;
import io.consumergraph.operators.flags.FlagUpdateSource;
import io.consumergraph.operators.gate.AutoLoad;
import io.consumergraph.operators.gate.UserGate;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.async.AsyncFunction;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.graph.StreamEdge;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.streaming.api.graph.StreamNode;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real topology with in-memory sources, collecting sinks, a fake catalog and a fake history
 * loader, on a local MiniCluster: no Kafka, SQS, Neo4j or upstream services. It proves the wiring —
 * every uid present once, live purchases and loaded histories reach the merger, and every kind of
 * dead letter reaches its sink.
 */
class ConsumerGraphTopologyTest {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 4);

  private static final String BULK_QUEUE = "memory://bulk";
  private static final String ENROLLMENT_QUEUE = "memory://enrollment";

  /** The savepoint format: every operator's uid without a backfill queue or enrollment topic. */
  private static final Set<String> LIVE_UIDS =
      Set.of(
          "receipts-source",
          "decode-receipts",
          "factoids-source",
          "decode-factoids",
          "flags-source",
          "flag-snapshots",
          "id-list-members",
          "to-membership",
          "to-gate-input",
          "user-gate",
          "dedup-purchases",
          "enrich-purchases",
          "to-merge-input",
          "full-load-merger",
          "neo4j-graph-sink",
          "dead-letter-sink");

  private static final Set<String> ENROLLMENT_UIDS =
      Set.of("enrollments-source", "decode-enrollments");

  private static final Set<String> BACKFILL_UIDS =
      Set.of(
          "load-requests-source",
          "decode-load-requests",
          "enrollment-requests",
          "to-enrollment",
          "load-outcomes-source",
          "decode-load-outcomes",
          "load-coordinator",
          "bulk-load-requests",
          "load-user-history",
          "to-merge-history",
          "enrolled-load-requests",
          "load-user-history-enrolled",
          "to-merge-history-enrolled",
          "neo4j-graph-sink-enrolled",
          "load-outcomes-sink",
          "request-dead-letter-sink");

  @TempDir Path dir;

  private final CollectingSink<GraphUpdate> graph = new CollectingSink<>();
  private final CollectingSink<DeadLetter> deadLetters = new CollectingSink<>();
  private final CollectingSink<LoadOutcome> outcomes = new CollectingSink<>();
  private final CollectingSink<DeadLetter> requestDeadLetters = new CollectingSink<>();

  @Test
  void liveAndBackfillReachTheMergerAndDeadLettersTheirSinks() throws Exception {
    long now = System.currentTimeMillis();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    topology(
            live(
                records("receipts", receipt("r-1", "live-user", now), "not a receipt"),
                Optional.of(records("enrollments", "{\"user_id\": 7}"))),
            backfill(
                records(
                    BULK_QUEUE,
                    request("loaded-user", now),
                    request("failing-user", now),
                    "{\"event_type\": \"user_load_request\"}")))
        .build(env);
    env.execute("topology-test");

    Map<String, List<GraphUpdate>> byUser =
        graph.received().stream().collect(Collectors.groupingBy(GraphUpdate::userId));
    assertThat(byUser).containsOnlyKeys("live-user", "loaded-user");
    GraphUpdate live = byUser.get("live-user").get(0);
    assertThat(live.fullLoad()).isFalse();
    assertThat(live.purchases()).extracting(EnrichedPurchase::purchaseId).containsExactly("r-1");
    assertThat(live.purchases()[0].enrichmentComplete()).as("enriched by the catalog").isTrue();
    GraphUpdate loaded = byUser.get("loaded-user").get(0);
    assertThat(loaded.fullLoad()).isTrue();
    assertThat(loaded.purchases())
        .extracting(EnrichedPurchase::purchaseId)
        .containsExactly("h-loaded-user");

    assertThat(outcomes.received())
        .extracting(LoadOutcome::userId, LoadOutcome::succeeded)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("loaded-user", true),
            org.assertj.core.groups.Tuple.tuple("failing-user", false));
    assertThat(requestDeadLetters.received())
        .extracting(DeadLetter::reason)
        .containsExactlyInAnyOrder("invalid", "load-failed");
    assertThat(deadLetters.received())
        .extracting(DeadLetter::source)
        .containsExactlyInAnyOrder("receipts", "enrollments");
  }

  @Test
  void everyUidIsPresentOnceAndThePathsMeetWhereTheyShould() throws Exception {
    StreamGraph streamGraph =
        streamGraph(
            topology(
                live(records("receipts"), Optional.of(records("enrollments"))),
                backfill(records(BULK_QUEUE))));
    Map<String, StreamNode> byUid = byUid(streamGraph);
    assertThat(byUid.keySet())
        .containsAll(LIVE_UIDS)
        .containsAll(ENROLLMENT_UIDS)
        .containsAll(BACKFILL_UIDS);

    assertThat(downstream(streamGraph, byUid, "to-enrollment")).containsExactly("user-gate");
    assertThat(downstream(streamGraph, byUid, "to-merge-input"))
        .containsExactly("full-load-merger");
    assertThat(downstream(streamGraph, byUid, "to-merge-history"))
        .containsExactly("full-load-merger");
    // Enrollments have a lane of their own from the coordinator to Neo4j.
    assertThat(downstream(streamGraph, byUid, "load-coordinator"))
        .containsExactlyInAnyOrder("bulk-load-requests", "enrolled-load-requests");
    assertThat(downstream(streamGraph, byUid, "enrolled-load-requests"))
        .containsExactly("load-user-history-enrolled");
    assertThat(downstream(streamGraph, byUid, "to-merge-history-enrolled"))
        .containsExactly("full-load-merger");
    assertThat(downstream(streamGraph, byUid, "full-load-merger"))
        .contains(
            "neo4j-graph-sink",
            "neo4j-graph-sink-enrolled",
            "load-outcomes-sink",
            "request-dead-letter-sink");
    assertThat(downstream(streamGraph, byUid, "decode-load-requests"))
        .contains("load-coordinator", "enrollment-requests", "request-dead-letter-sink");
    assertThat(downstream(streamGraph, byUid, "decode-load-outcomes"))
        .containsExactlyInAnyOrder("load-coordinator", "dead-letter-sink");
    assertThat(downstream(streamGraph, byUid, "decode-enrollments"))
        .containsExactlyInAnyOrder("user-gate", "dead-letter-sink");
  }

  @Test
  void withoutABackfillQueueNoBackfillOperatorIsAdded() throws Exception {
    Map<String, StreamNode> byUid =
        byUid(
            streamGraph(
                topology(live(records("receipts"), Optional.empty()), BackfillPath.none())));
    assertThat(byUid.keySet())
        .containsAll(LIVE_UIDS)
        .doesNotContainAnyElementsOf(BACKFILL_UIDS)
        .doesNotContainAnyElementsOf(ENROLLMENT_UIDS);
  }

  @Test
  void aLogOnlyRunsLiveSourcesHaveUidsOfTheirOwnSoARealRunNeverTakesItsPositions()
      throws Exception {
    Map<String, StreamNode> byUid =
        byUid(
            streamGraph(
                topology(
                    live(records("receipts"), Optional.of(records("enrollments")), true, 0),
                    BackfillPath.none())));
    assertThat(byUid.keySet())
        .contains(
            "receipts-source-log-only", "factoids-source-log-only", "enrollments-source-log-only")
        .doesNotContain("receipts-source", "factoids-source", "enrollments-source")
        // Everything else keeps its uid: only the positions of what it read are the dry run's.
        .contains("decode-receipts", "user-gate", "dedup-purchases", "full-load-merger");
    assertThat(liveSettings(true, 2).sourceUid("receipts-source"))
        .isEqualTo("receipts-source-rewind-2-log-only");
  }

  @Test
  void checkpointsGoUnalignedAfterTheAlignedTimeoutAndInFlightDataIsDebloated() {
    Configuration options = new Configuration();
    options.set(FLAGS_LOCATION, "/flags.yaml");
    Configuration flink = ConsumerGraphJob.flinkConfiguration(JobConfig.of(options));
    assertThat(flink.get(org.apache.flink.configuration.CheckpointingOptions.ENABLE_UNALIGNED))
        .isTrue();
    assertThat(
            flink.get(
                org.apache.flink.configuration.CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT))
        .isEqualTo(Duration.ofSeconds(1));
    assertThat(flink.get(org.apache.flink.configuration.TaskManagerOptions.BUFFER_DEBLOAT_ENABLED))
        .isTrue();

    options.set(JobOptions.ALIGNED_CHECKPOINT_TIMEOUT, Duration.ZERO);
    assertThat(
            ConsumerGraphJob.flinkConfiguration(JobConfig.of(options))
                .get(
                    org.apache.flink.configuration.CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT))
        .as("always unaligned")
        .isZero();
  }

  @Test
  void onManagedFlinkTheJobsOwnMetricsGoUnderTheKinesisAnalyticsGroup() throws Exception {
    Configuration options = new Configuration();
    options.set(JobOptions.METRICS_KINESIS_ANALYTICS_GROUP, true);
    options.set(FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(dir).toString());
    JobConfig config = JobConfig.of(options);
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            ConsumerGraphJob.flinkConfiguration(config));
    env.setParallelism(1);
    long now = System.currentTimeMillis();
    topology(
            live(
                records("receipts", receipt("r-ka", "ka-user", now)),
                Optional.empty(),
                ConsumerGraphJob.flagSource(config, true),
                false,
                0),
            BackfillPath.none())
        .build(env);
    env.execute("kinesis-analytics-metrics");

    Map<String, Boolean> underTheGroup = new HashMap<>();
    for (var group : REPORTER.getMetricsByGroup().entrySet()) {
      for (String name : group.getValue().keySet()) {
        String id = group.getKey().getMetricIdentifier(name);
        if (id.contains(".kinesis-analytics-metrics.")) {
          underTheGroup.merge(name, id.contains(".KinesisAnalytics."), Boolean::logicalAnd);
        }
      }
    }
    // The job's own metrics, from operators (decode, dedup, enrichment) and the flag source...
    assertThat(underTheGroup)
        .containsEntry("accepted", true)
        .containsEntry("purchasesFirstSeen", true)
        .containsEntry("upstreamFailures", true)
        .containsEntry("polls", true)
        // ...but not Flink's own, which Managed Flink reports anyway.
        .containsEntry("numRecordsIn", false);
  }

  private ConsumerGraphTopology topology(LivePath live, BackfillPath backfill) {
    return new ConsumerGraphTopology(
        live,
        backfill,
        graph,
        deadLetters,
        new ConsumerGraphTopology.Settings(Duration.ofDays(3), 1));
  }

  private LivePath live(
      Source<SourceRecord, ?, ?> receipts, Optional<Source<SourceRecord, ?, ?>> enrollments)
      throws IOException {
    return live(receipts, enrollments, false, 0);
  }

  private LivePath live(
      Source<SourceRecord, ?, ?> receipts,
      Optional<Source<SourceRecord, ?, ?>> enrollments,
      boolean logOnly,
      int rewindGeneration)
      throws IOException {
    Configuration flags = new Configuration();
    flags.set(FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(dir).toString());
    return live(
        receipts,
        enrollments,
        ConsumerGraphJob.flagSource(JobConfig.of(flags), true),
        logOnly,
        rewindGeneration);
  }

  private LivePath live(
      Source<SourceRecord, ?, ?> receipts,
      Optional<Source<SourceRecord, ?, ?>> enrollments,
      FlagUpdateSource flagSource,
      boolean logOnly,
      int rewindGeneration) {
    return new LivePath(
        new LivePath.Inputs(receipts, records("factoids"), flagSource, enrollments),
        new FakeCatalog(),
        liveSettings(logOnly, rewindGeneration));
  }

  private static LivePath.Settings liveSettings(boolean logOnly, int rewindGeneration) {
    return new LivePath.Settings(
        Duration.ofMinutes(1),
        Duration.ofDays(7),
        Duration.ofSeconds(1),
        1,
        10,
        logOnly,
        rewindGeneration,
        AutoLoad.Settings.off(),
        UserGate.DEFAULT_RELEASE_BATCH);
  }

  private BackfillPath backfill(Source<SourceRecord, ?, ?> requests) {
    return new BackfillPath(
        new BackfillPath.Inputs(requests, ENROLLMENT_QUEUE, records("load-outcomes")),
        new BackfillPath.Outputs(outcomes, requestDeadLetters),
        new FakeLoader(),
        new BackfillPath.Settings(
            Duration.ofDays(7), Duration.ofMinutes(10), 1, 10, Duration.ofSeconds(30)));
  }

  /** A bounded source of these payloads (byte arrays or strings) as records of {@code topic}. */
  private static Source<SourceRecord, ?, ?> records(String topic, Object... payloads) {
    if (payloads.length == 0) {
      return new EmptySource<>(TypeInformation.of(SourceRecord.class));
    }
    ArrayList<byte[]> values = new ArrayList<>();
    for (Object payload : payloads) {
      values.add(
          payload instanceof byte[] bytes
              ? bytes
              : payload.toString().getBytes(StandardCharsets.UTF_8));
    }
    return new DataGeneratorSource<>(
        index -> {
          int i = index.intValue();
          return new SourceRecord(topic, 0, i, 0L, ("k" + i).getBytes(), values.get(i));
        },
        values.size(),
        TypeInformation.of(SourceRecord.class));
  }

  private static byte[] receipt(String id, String user, long now) {
    return ProcessedReceiptEvent.newBuilder()
        .setReceiptId(id)
        .setUserId(user)
        .setStatus(ReceiptStatus.FINISHED)
        .setStore(Store.newBuilder().setRetailerId("shop-1"))
        .setPurchaseTimeMs(now - 60_000)
        .addItems(ReceiptItem.newBuilder().setFido("fido-1").setQuantity(1))
        .build()
        .toByteArray();
  }

  private static String request(String user, long now) {
    return "{\"event_type\": \"user_load_request\", \"user_id\": \""
        + user
        + "\", \"requested_at\": \""
        + Instant.ofEpochMilli(now)
        + "\", \"request_id\": \"req-"
        + user
        + "\"}";
  }

  private static StreamGraph streamGraph(ConsumerGraphTopology topology) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    topology.build(env);
    return env.getStreamGraph();
  }

  /** Nodes by uid; fails on a uid given twice. */
  private static Map<String, StreamNode> byUid(StreamGraph graph) {
    Map<String, StreamNode> byUid = new HashMap<>();
    for (StreamNode node : graph.getStreamNodes()) {
      String uid = node.getTransformationUID();
      if (uid != null) {
        assertThat(byUid.put(uid, node)).as("uid %s given twice", uid).isNull();
      }
    }
    return byUid;
  }

  /** The uids of the operators {@code uid} feeds directly. */
  private static Set<String> downstream(
      StreamGraph graph, Map<String, StreamNode> byUid, String uid) {
    Set<String> targets = new HashSet<>();
    for (StreamEdge edge : byUid.get(uid).getOutEdges()) {
      targets.add(graph.getStreamNode(edge.getTargetId()).getTransformationUID());
    }
    return targets;
  }

  /** Knows every product and retailer. */
  private static final class FakeCatalog implements CatalogLookupFactory {
    private static final long serialVersionUID = 1L;

    @Override
    public CatalogLookup create() {
      return new CatalogLookup() {
        @Override
        public CompletableFuture<Map<String, Product>> products(Collection<String> fidos) {
          Map<String, Product> found = new HashMap<>();
          for (String fido : fidos) {
            found.put(fido, new Product(fido, "name", "brand", "cat-1", new String[] {"cat-1"}));
          }
          return CompletableFuture.completedFuture(found);
        }

        @Override
        public CompletableFuture<Optional<Retailer>> retailer(String retailerId) {
          return CompletableFuture.completedFuture(
              Optional.of(new Retailer(retailerId, "Shop", "GROCERY")));
        }
      };
    }
  }

  /** A history of one receipt per user; users named failing-… fail for good. */
  private static final class FakeLoader implements AsyncFunction<UserLoadRequest, UserHistory> {
    private static final long serialVersionUID = 1L;

    @Override
    public void asyncInvoke(UserLoadRequest request, ResultFuture<UserHistory> result) {
      long now = System.currentTimeMillis();
      if (request.userId().startsWith("failing-")) {
        result.complete(
            List.of(new UserHistory(request, now, new EnrichedPurchase[0], "history said no")));
        return;
      }
      EnrichedPurchase purchase =
          new EnrichedPurchase(
              request.userId(),
              "h-" + request.userId(),
              Channel.RECEIPT,
              Origin.BACKFILL,
              now - 86_400_000L,
              new Retailer("shop-1", "Shop", "GROCERY"),
              new Product[] {
                new Product("fido-1", "name", "brand", "cat-1", new String[] {"cat-1"})
              },
              true);
      result.complete(
          List.of(new UserHistory(request, now, new EnrichedPurchase[] {purchase}, null)));
    }
  }
}
