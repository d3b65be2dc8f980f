package io.consumergraph.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark runnable: one small round of every variant, each of which must leave the
 * graph it is checked against. Not a timing test: the figures it prints are not asserted, so the
 * untimed warm-up (a pipeline run of its own) is left out.
 */
class GraphWriteBenchmarkIT {

  /** The per-receipt writer writes fewer deliveries here: its graph is checked against theirs. */
  @Test
  void everyVariantWritesTheExpectedGraphOnASmallRun() throws Exception {
    BenchmarkOptions options =
        BenchmarkOptions.parse(
            new String[] {
              "--receipts",
              "400",
              "--per-receipt-receipts",
              "150",
              "--users",
              "50",
              "--rounds",
              "1",
              "--warmup",
              "0"
            });

    assertThat(GraphWriteBenchmark.run(options)).as("exit status (1 = GRAPH DIFFERS)").isZero();
  }

  @Test
  void theSinkWritesTheExpectedGraphToANeo4jServerProcess() throws Exception {
    BenchmarkOptions options =
        BenchmarkOptions.parse(
            new String[] {
              "--receipts",
              "200",
              "--users",
              "20",
              "--rounds",
              "1",
              "--warmup",
              "0",
              "--variants",
              "sink",
              "--neo4j",
              "process"
            });

    assertThat(GraphWriteBenchmark.run(options)).as("exit status (1 = GRAPH DIFFERS)").isZero();
  }

  @Test
  void anUnknownNeo4jPlacementIsRefused() {
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--neo4j", "cloud"}))
        .hasMessageContaining("--neo4j: in-process or process, got cloud");
  }

  @Test
  void aPerReceiptSubsetLargerThanTheRunIsRefused() {
    assertThatThrownBy(
            () ->
                BenchmarkOptions.parse(
                    new String[] {"--receipts", "1000", "--per-receipt-receipts", "5000"}))
        .hasMessageContaining("--per-receipt-receipts must be between 1 and --receipts (1000)")
        .hasMessageContaining("got 5000");
  }
}
