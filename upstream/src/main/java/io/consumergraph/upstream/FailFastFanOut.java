package io.consumergraph.upstream;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Runs one async call per input with at most {@code concurrency} in flight, results in input order.
 * Fail-fast: the first failure fails the result, starts nothing more and cancels the calls in
 * flight, because a partial result is useless to a FullLoad.
 */
final class FailFastFanOut<T, R> {

  private final List<T> inputs;
  private final int concurrency;
  private final Function<T, CompletableFuture<R>> call;
  private final Object[] results;
  private final AtomicInteger next = new AtomicInteger();
  private final AtomicInteger remaining;
  private final Set<CompletableFuture<R>> inFlight = ConcurrentHashMap.newKeySet();
  private final CompletableFuture<List<R>> result = new CompletableFuture<>();

  private FailFastFanOut(List<T> inputs, int concurrency, Function<T, CompletableFuture<R>> call) {
    this.inputs = inputs;
    this.concurrency = concurrency;
    this.call = call;
    this.results = new Object[inputs.size()];
    this.remaining = new AtomicInteger(inputs.size());
  }

  static <T, R> CompletableFuture<List<R>> run(
      List<T> inputs, int concurrency, Function<T, CompletableFuture<R>> call) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be >= 1");
    }
    return new FailFastFanOut<>(List.copyOf(inputs), concurrency, call).start();
  }

  private CompletableFuture<List<R>> start() {
    if (inputs.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    // A caller that cancels or times out the result stops the calls too.
    result.whenComplete((value, failure) -> cancelInFlight());
    for (int i = 0; i < Math.min(concurrency, inputs.size()); i++) {
      launchNext();
    }
    return result;
  }

  @SuppressWarnings("unchecked")
  private void launchNext() {
    if (result.isDone()) {
      return;
    }
    int i = next.getAndIncrement();
    if (i >= inputs.size()) {
      return;
    }
    CompletableFuture<R> f;
    try {
      f = call.apply(inputs.get(i));
    } catch (RuntimeException e) {
      result.completeExceptionally(e);
      return;
    }
    inFlight.add(f);
    f.whenComplete(
        (value, failure) -> {
          inFlight.remove(f);
          if (failure != null) {
            result.completeExceptionally(Stages.unwrap(failure));
            return;
          }
          results[i] = value;
          if (remaining.decrementAndGet() == 0) {
            result.complete(new ArrayList<>(Arrays.asList((R[]) results)));
          } else {
            launchNext();
          }
        });
    if (result.isDone()) {
      f.cancel(true); // failed meanwhile: the cancel in whenComplete may have missed this one
    }
  }

  private void cancelInFlight() {
    for (CompletableFuture<R> f : inFlight) {
      f.cancel(true);
    }
  }
}
