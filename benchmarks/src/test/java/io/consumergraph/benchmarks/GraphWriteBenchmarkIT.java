package io.consumergraph.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark runnable: one small round of every variant, each of which must leave the
 * graph it is checked against. Not a timing test: the figures it prints are not asserted.
 */
class GraphWriteBenchmarkIT {

  /**
   * The per-receipt writer writes fewer deliveries here: its graph is checked against theirs. The
   * untimed pipeline warm-up reads receipts of its own from a topic of its own, and its graph is
   * checked too.
   */
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
              "20",
              "--pipeline-warmup",
              "120"
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

  @Test
  void anEmptyPipelineWarmupIsRefused() {
    assertThatThrownBy(() -> BenchmarkOptions.parse(new String[] {"--pipeline-warmup", "0"}))
        .hasMessageContaining("--pipeline-warmup must be at least 1")
        .hasMessageContaining("got 0");
  }
}
