package io.consumergraph.operators.retry;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Predicate;
import org.apache.flink.streaming.api.functions.async.AsyncRetryStrategy;
import org.apache.flink.streaming.util.retryable.AsyncRetryStrategies;
import org.apache.flink.streaming.util.retryable.RetryPredicates;

/**
 * The backoff between attempts of one async I/O element, shared by every upstream call the job
 * makes (enrichment and history loads): exponential, factor 2, from {@link #INITIAL_DELAY} up to
 * {@link #MAX_DELAY}.
 */
public final class AsyncBackoff {

  /** Delay before the first retry. */
  public static final Duration INITIAL_DELAY = Duration.ofMillis(100);

  /** Longest delay between two attempts. */
  public static final Duration MAX_DELAY = Duration.ofSeconds(2);

  private AsyncBackoff() {}

  /**
   * At most {@code maxRetries} retries (so {@code maxRetries + 1} attempts) with the backoff from
   * {@code initial} to {@code max}, of the results {@code retryResult} accepts (it must be
   * serializable) and, when {@code retryExceptions}, of exceptional completions.
   */
  public static <T> AsyncRetryStrategy<T> strategy(
      int maxRetries,
      Duration initial,
      Duration max,
      Predicate<Collection<T>> retryResult,
      boolean retryExceptions) {
    if (maxRetries < 0 || initial.isNegative() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException(
          "need maxRetries >= 0 and 0 <= initial <= max, got "
              + maxRetries
              + ", "
              + initial
              + ", "
              + max);
    }
    var builder =
        new AsyncRetryStrategies.ExponentialBackoffDelayRetryStrategyBuilder<T>(
                maxRetries, initial.toMillis(), max.toMillis(), 2.0)
            .ifResult(retryResult);
    if (retryExceptions) {
      builder.ifException(RetryPredicates.HAS_EXCEPTION_PREDICATE);
    }
    return builder.build();
  }

  /**
   * Time for every attempt of one element, each up to {@code perAttempt}, and the longest backoff
   * after each: an async I/O timeout at least this long fires only on a hang, since Flink's timeout
   * covers the whole element, retries included.
   */
  public static Duration allAttempts(Duration perAttempt, int maxRetries) {
    long attempts = maxRetries + 1L;
    return perAttempt.multipliedBy(attempts).plus(MAX_DELAY.multipliedBy(attempts));
  }
}
