package io.consumergraph.upstream;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * A cache of single-entity lookups: answers ("not found" included) are kept in Caffeine for a TTL,
 * concurrent lookups of one key share one request, failures are not kept.
 *
 * <p>Not Caffeine's AsyncCache: it logs a WARNING with a stack trace for every failed load, and
 * upstream failures are expected, counted and retried by Flink, not log noise.
 */
final class CoalescingCache<V> {

  private final Cache<String, Optional<V>> answers;
  private final ConcurrentMap<String, CompletableFuture<Optional<V>>> inFlight =
      new ConcurrentHashMap<>();

  CoalescingCache(long maximumSize, Duration ttl, Executor executor) {
    this.answers =
        Caffeine.newBuilder()
            .maximumSize(maximumSize)
            .expireAfterWrite(ttl)
            .executor(executor)
            .build();
  }

  /** The cached answer for {@code key}, or the (shared) result of {@code fetch}. */
  CompletableFuture<Optional<V>> get(
      String key, Function<String, CompletableFuture<Optional<V>>> fetch) {
    Optional<V> cached = answers.getIfPresent(key);
    if (cached != null) {
      return CompletableFuture.completedFuture(cached);
    }
    CompletableFuture<Optional<V>> mine = new CompletableFuture<>();
    CompletableFuture<Optional<V>> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return running.copy(); // a copy: one caller's cancel must not fail the others
    }
    CompletableFuture<Optional<V>> fetched;
    try {
      fetched = fetch.apply(key);
    } catch (RuntimeException e) {
      fetched = CompletableFuture.failedFuture(e);
    }
    fetched.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            answers.put(key, value);
          }
          inFlight.remove(key, mine);
          if (failure == null) {
            mine.complete(value);
          } else {
            mine.completeExceptionally(failure);
          }
        });
    return mine.copy();
  }
}
