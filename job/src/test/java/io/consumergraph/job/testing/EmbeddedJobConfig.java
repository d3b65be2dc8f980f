package io.consumergraph.job.testing;

import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.job.config.EmbeddedStackConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.simulator.UpstreamSimulator;
import io.consumergraph.upstream.UpstreamEndpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.apache.flink.configuration.Configuration;

/** Points the job at the in-process servers of a test, with settings that keep tests quick. */
public final class EmbeddedJobConfig {

  private EmbeddedJobConfig() {}

  /** Kafka, Neo4j (no auth) and the upstream simulator; short checkpoints and batch delays. */
  public static Configuration of(
      EmbeddedKafka kafka, EmbeddedNeo4j neo4j, UpstreamSimulator upstream) {
    Configuration c =
        EmbeddedStackConfig.of(
            kafka.bootstrapServers(),
            neo4j.boltUri(),
            UpstreamEndpoints.onOneHost(upstream.baseUri()));
    c.set(JobOptions.NEO4J_MAX_BATCH_DELAY, Duration.ofMillis(50));
    c.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofMillis(500));
    // Kafka, Neo4j, the simulator and the job share two cores here: give a request stalled by a
    // busy machine the time and the attempts it would have on its own.
    c.set(JobOptions.UPSTREAM_TIMEOUT, Duration.ofSeconds(5));
    c.set(JobOptions.UPSTREAM_MAX_RETRIES, 6);
    return c;
  }

  /** A flag document in {@code dir} that lets every user in. */
  public static Path everyoneEnabled(Path dir) throws IOException {
    Path file = dir.resolve("flags-everyone.yaml");
    Files.writeString(
        file, "flags:\n  consumer_graph_ingestion: { enabled: true, rollout: 100 }\n");
    return file;
  }

  /** Polls {@code condition} until it holds, failing with {@code what} after {@code timeout}. */
  public static void waitFor(String what, Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(100);
    }
  }
}
