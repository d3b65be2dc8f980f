package io.consumergraph.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class StagesTest {

  @Test
  void cancellingAnAppliedStageCancelsItsSource() {
    CompletableFuture<Integer> source = new CompletableFuture<>();
    CompletableFuture<String> out = Stages.thenApply(source, String::valueOf);
    out.cancel(true);
    assertThat(source).isCancelled();
  }

  @Test
  void anAppliedStageStillCarriesValuesAndFailures() throws Exception {
    CompletableFuture<Integer> ok = new CompletableFuture<>();
    CompletableFuture<String> out = Stages.thenApply(ok, i -> "v" + i);
    ok.complete(7);
    assertThat(out.get()).isEqualTo("v7");

    CompletableFuture<Integer> bad = new CompletableFuture<>();
    CompletableFuture<String> failed = Stages.thenApply(bad, String::valueOf);
    bad.completeExceptionally(new IllegalStateException("boom"));
    assertThat(failed).isCompletedExceptionally();
    assertThat(bad).isNotCancelled();
  }

  @Test
  void cancellingAComposedStageBeforeTheSourceCompletesCancelsTheSource() {
    CompletableFuture<Integer> source = new CompletableFuture<>();
    CompletableFuture<Integer> inner = new CompletableFuture<>();
    CompletableFuture<Integer> out = Stages.thenCompose(source, v -> inner);
    out.cancel(true);
    assertThat(source).isCancelled();
    assertThat(inner).as("never started").isNotDone();
  }

  @Test
  void cancellingAComposedStageCancelsTheStageItWaitsOn() {
    CompletableFuture<Integer> source = new CompletableFuture<>();
    CompletableFuture<Integer> inner = new CompletableFuture<>();
    CompletableFuture<Integer> out = Stages.thenCompose(source, v -> inner);
    source.complete(1);
    out.cancel(true);
    assertThat(inner).isCancelled();
  }

  @Test
  void aStageStartedWhileTheResultWasBeingCancelledIsCancelledToo() {
    CompletableFuture<Integer> source = new CompletableFuture<>();
    CompletableFuture<Integer> inner = new CompletableFuture<>();
    @SuppressWarnings("unchecked")
    CompletableFuture<Integer>[] out = new CompletableFuture[1];
    out[0] =
        Stages.thenCompose(
            source,
            v -> {
              out[0].cancel(true); // the caller gives up while the next stage is being made
              return inner;
            });
    source.complete(1);
    assertThat(inner).isCancelled();
  }

  @Test
  void aComposedStageCancelledBeforeItsSourceCompletesNeverStartsTheNextStage() {
    // A source that ignores cancellation, as a stage already completing on another thread does.
    CompletableFuture<Integer> source =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
          }
        };
    AtomicBoolean started = new AtomicBoolean();
    CompletableFuture<Integer> out =
        Stages.thenCompose(
            source,
            v -> {
              started.set(true);
              return new CompletableFuture<>();
            });
    out.cancel(true);
    source.complete(1);
    assertThat(started).isFalse();
  }

  @Test
  void anErrorInTheNextStageFailsTheResultInsteadOfLeavingItPending() {
    CompletableFuture<Integer> source = new CompletableFuture<>();
    CompletableFuture<Integer> out =
        Stages.thenCompose(
            source,
            v -> {
              throw new AssertionError("broken");
            });
    source.complete(1);
    assertThat(out).isCompletedExceptionally();
  }

  @Test
  void aComposedStageCarriesTheInnerValueAndTheUnwrappedFailure() throws Exception {
    CompletableFuture<Integer> source = new CompletableFuture<>();
    CompletableFuture<Integer> out =
        Stages.thenCompose(source, v -> CompletableFuture.completedFuture(v * 2));
    source.complete(21);
    assertThat(out.get()).isEqualTo(42);

    CompletableFuture<Integer> first = new CompletableFuture<>();
    CompletableFuture<Integer> failed =
        Stages.thenCompose(
            Stages.thenApply(first, v -> v),
            v -> CompletableFuture.<Integer>failedFuture(new IllegalStateException("inner")));
    first.complete(1);
    assertThat(failed)
        .failsWithin(java.time.Duration.ofSeconds(1))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(IllegalStateException.class)
        .withMessageContaining("inner");
  }
}
