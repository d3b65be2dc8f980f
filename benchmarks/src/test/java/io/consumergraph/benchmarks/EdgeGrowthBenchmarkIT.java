package io.consumergraph.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the edge-growth benchmark runnable: a small round whose edges must each end with every id
 * once. Not a timing test.
 */
class EdgeGrowthBenchmarkIT {

  @Test
  void everyAppendLandsOnceOnEdgesOfEverySize() throws Exception {
    List<EdgeGrowthBenchmark.Result> results =
        EdgeGrowthBenchmark.run(
            EdgeGrowthBenchmark.Options.parse(new String[] {"--sizes", "1,200", "--appends", "3"}));

    assertThat(results).extracting(EdgeGrowthBenchmark.Result::ids).containsExactly(1, 200);
    assertThat(results).allSatisfy(r -> assertThat(r.correct()).as("%d ids", r.ids()).isTrue());
  }
}
