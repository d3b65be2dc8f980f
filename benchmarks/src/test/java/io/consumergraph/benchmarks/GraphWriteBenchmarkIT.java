package io.consumergraph.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Keeps the benchmark runnable: one small round of every variant, each of which must leave the
 * graph it is checked against. Not a timing test: the figures it prints are not asserted.
 */
class GraphWriteBenchmarkIT {

  @Test
  void everyVariantWritesTheExpectedGraphOnASmallRun() throws Exception {
    BenchmarkOptions options =
        BenchmarkOptions.parse(
            new String[] {"--receipts", "400", "--users", "50", "--rounds", "1"});

    assertThat(GraphWriteBenchmark.run(options)).as("exit status (1 = GRAPH DIFFERS)").isZero();
  }
}
