package io.consumergraph.sink.neo4j;

import static io.consumergraph.sink.neo4j.Purchases.DAY_MS;
import static io.consumergraph.sink.neo4j.Purchases.T0;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.Product;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The sink in a real Flink job on a MiniCluster, two parallel writers, against real Neo4j. */
class Neo4jGraphSinkIT {

  @RegisterExtension
  static final MiniClusterExtension MINI_CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  @BeforeEach
  void clearGraph() {
    TestNeo4j.clear();
  }

  @Test
  void graphUpdatesPushedThroughAFlinkJobMatchTheOracle() throws Exception {
    List<GraphUpdate> updates = new ArrayList<>();
    List<EnrichedPurchase> delivered = new ArrayList<>();
    for (int user = 0; user < 30; user++) {
      for (int n = 0; n < 4; n++) {
        EnrichedPurchase purchase =
            Purchases.purchase(
                "u" + user,
                "u" + user + "-r" + n,
                T0 + n * DAY_MS,
                n == 3 ? null : Purchases.retailer("s" + (user + n) % 3),
                new Product[] {
                  Purchases.product("f" + (user + n) % 7, "c" + n % 2),
                  Purchases.product("f" + (user * n) % 5, n == 1 ? "" : "c" + user % 3)
                });
        // Every purchase arrives twice, like a Kafka re-delivery.
        for (int copy = 0; copy < 2; copy++) {
          updates.add(Purchases.live(purchase));
          delivered.add(purchase);
        }
      }
    }

    Configuration conf = new Configuration();
    conf.set(PipelineOptions.GENERIC_TYPES, false);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    env.fromData(updates, TypeInformation.of(GraphUpdate.class))
        .keyBy(GraphUpdate::userId, Types.STRING)
        .sinkTo(new Neo4jGraphSink(TestNeo4j.config().withBatchRows(40)))
        .name("neo4j-graph-sink")
        .uid("neo4j-graph-sink");
    env.execute("neo4j-graph-sink-it");

    assertThat(TestNeo4j.count("MATCH (u:User) RETURN count(u)")).isEqualTo(30);
    assertThat(GraphSnapshot.read()).isEqualTo(GraphSnapshot.expected(delivered));
  }
}
