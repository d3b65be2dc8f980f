package io.consumergraph.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keeps the backfill benchmark runnable: one small run of every variant, each of which must load
 * every user with a history into Neo4j and leave no request on the queue or its dead-letter queue;
 * the users enrolled during the defaults run are all loaded; the UNWIND writer's graph of other
 * users' histories matches the figures computed from them; each variant reports the size of its
 * last checkpoint. Not a timing test: the figures it prints are not asserted.
 */
class BackfillBenchmarkIT {

  @Test
  void everyVariantLoadsEveryUserAndDrainsItsQueue() throws Exception {
    BackfillBenchmark.Options options =
        BackfillBenchmark.Options.parse(
            new String[] {
              "--users", "40",
              "--baseline-users", "20",
              "--rate-limit-users", "20",
              "--checkpoint-interval", "2s",
              "--enrollments", "3",
              "--warmup-users", "0",
              "--unwind-users", "30"
            });

    List<BackfillBenchmark.Result> results = BackfillBenchmark.run(options);

    assertThat(results)
        .extracting(BackfillBenchmark.Result::variant)
        .containsExactly("baseline", "defaults", "rate-limit", "unwind");
    assertThat(results).allSatisfy(r -> assertThat(r.correct()).as(r.variant()).isTrue());
    // Every enrolled user reached Neo4j (a latency of -1 is one that never did).
    assertThat(results.get(1).enrollmentLatenciesMs()).hasSize(3).allMatch(ms -> ms >= 0);
    assertThat(results.get(0).enrollmentLatenciesMs()).isEmpty();
    // The checkpoint that drained each variant's queue holds its users' state.
    assertThat(results.subList(0, 3))
        .allSatisfy(r -> assertThat(r.checkpointBytes()).as(r.variant()).isPositive());
  }

  @Test
  void anUnknownNeo4jPlacementIsRefused() {
    assertThatThrownBy(() -> BackfillBenchmark.Options.parse(new String[] {"--neo4j", "remote"}))
        .hasMessageContaining("--neo4j: in-process or process, got remote");
  }
}
