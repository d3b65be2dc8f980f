package io.consumergraph.job.config;

import io.consumergraph.upstream.UpstreamEndpoints;
import java.net.URI;
import org.apache.flink.configuration.Configuration;

/**
 * The job's configuration against the in-process embedded stack of the demo, the benchmarks and the
 * integration tests; each adds its own settings (checkpoints, flags, queues) to it.
 */
public final class EmbeddedStackConfig {

  private EmbeddedStackConfig() {}

  /** Kafka read from the earliest offsets, Neo4j without auth, every upstream service. */
  public static Configuration of(
      String kafkaBootstrapServers, URI neo4jBoltUri, UpstreamEndpoints upstream) {
    Configuration c = withoutBackfillServices(kafkaBootstrapServers, neo4jBoltUri, upstream);
    c.set(JobOptions.PURCHASE_HISTORY_URL, upstream.purchaseHistory().toString());
    c.set(JobOptions.BTS_URL, upstream.bts().toString());
    return c;
  }

  /**
   * As {@link #of}, but Purchase History and BTS, which only the backfill's user-history loads
   * call, keep their defaults: the product, category and retailer services only.
   */
  public static Configuration withoutBackfillServices(
      String kafkaBootstrapServers, URI neo4jBoltUri, UpstreamEndpoints upstream) {
    Configuration c = new Configuration();
    c.set(JobOptions.KAFKA_BOOTSTRAP_SERVERS, kafkaBootstrapServers);
    c.set(JobOptions.START_FROM, "earliest");
    c.set(JobOptions.NEO4J_URI, neo4jBoltUri.toString());
    c.set(JobOptions.NEO4J_USER, ""); // the embedded server runs without auth
    c.set(JobOptions.PRODUCT_URL, upstream.product().toString());
    c.set(JobOptions.CATEGORY_URL, upstream.category().toString());
    c.set(JobOptions.RETAILER_URL, upstream.retailer().toString());
    return c;
  }
}
