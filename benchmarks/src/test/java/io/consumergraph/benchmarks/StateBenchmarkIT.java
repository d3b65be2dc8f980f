package io.consumergraph.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the state benchmark runnable: a small round of both variants, in which every held purchase
 * must be released once, seen once downstream, and no checkpoint fail. Not a timing test.
 */
class StateBenchmarkIT {

  @Test
  void everyHeldPurchaseIsReleasedOnceInBatchesAndInOneGo() throws Exception {
    List<StateBenchmark.Result> results =
        StateBenchmark.run(
            StateBenchmark.Options.parse(
                new String[] {
                  "--users", "3000",
                  "--purchases-per-user", "2",
                  "--release-batch", "500",
                  "--checkpoint-interval", "1s",
                  "--sink-rate", "0",
                  "--timeout", "120s"
                }));

    assertThat(results)
        .extracting(StateBenchmark.Result::variant)
        .containsExactly("batched", "unbounded");
    assertThat(results)
        .allSatisfy(
            r -> {
              assertThat(r.correct()).as(r.toString()).isTrue();
              assertThat(r.released()).isEqualTo(6000);
            });
  }

  @Test
  void badOptionsAreRefusedWithTheirName() {
    assertThatThrownBy(() -> StateBenchmark.Options.parse(new String[] {"--release-batch", "0"}))
        .hasMessageContaining("--release-batch");
    assertThatThrownBy(() -> StateBenchmark.Options.parse(new String[] {"--variants", "fast"}))
        .hasMessageContaining("--variants");
    assertThatThrownBy(() -> StateBenchmark.Options.parse(new String[] {"--colour", "red"}))
        .hasMessageContaining("unknown option --colour");
  }
}
