package io.consumergraph.upstream;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * {@code thenApply} and {@code thenCompose} whose result, when cancelled, also cancels the stages
 * it was derived from. A plain {@code CompletableFuture} chain does not: cancelling a derived stage
 * leaves the HTTP exchange it waits on running. Fail-fast callers (a failed BTS detail call, a
 * failed Purchase History page) rely on cancellation reaching the exchanges still in flight.
 */
final class Stages {

  private Stages() {}

  static <T, R> CompletableFuture<R> thenApply(
      CompletableFuture<T> source, Function<? super T, ? extends R> fn) {
    CompletableFuture<R> out = source.thenApply(fn);
    out.whenComplete(
        (value, failure) -> {
          if (out.isCancelled()) {
            source.cancel(true);
          }
        });
    return out;
  }

  static <T, R> CompletableFuture<R> thenCompose(
      CompletableFuture<T> source, Function<? super T, ? extends CompletionStage<R>> fn) {
    CompletableFuture<R> out = new CompletableFuture<>();
    AtomicReference<CompletableFuture<R>> inner = new AtomicReference<>();
    source.whenComplete(
        (value, failure) -> {
          if (failure != null) {
            out.completeExceptionally(unwrap(failure));
            return;
          }
          CompletableFuture<R> next;
          if (out.isCancelled()) {
            return; // given up meanwhile: do not start the next stage at all
          }
          try {
            next = fn.apply(value).toCompletableFuture();
          } catch (Throwable e) {
            out.completeExceptionally(e); // an Error too, or the result would never complete
            return;
          }
          inner.set(next);
          if (out.isCancelled()) {
            next.cancel(true); // cancelled while fn ran: the cancel below could not see next yet
            return;
          }
          next.whenComplete(
              (result, nextFailure) -> {
                if (nextFailure != null) {
                  out.completeExceptionally(unwrap(nextFailure));
                } else {
                  out.complete(result);
                }
              });
        });
    out.whenComplete(
        (value, failure) -> {
          if (out.isCancelled()) {
            source.cancel(true);
            CompletableFuture<R> next = inner.get();
            if (next != null) {
              next.cancel(true);
            }
          }
        });
    return out;
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
  }
}
