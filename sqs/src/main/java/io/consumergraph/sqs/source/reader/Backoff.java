package io.consumergraph.sqs.source.reader;

import java.time.Duration;

/** Exponential backoff bounded by a maximum delay and, for acknowledgements, a number of tries. */
public record Backoff(Duration initial, Duration max, int maxAttempts) {

  /** The delay after the given number of consecutive failures (1 = first failure). */
  public long delayMs(int failures) {
    int shift = Math.min(Math.max(failures - 1, 0), 30);
    long delay = initial.toMillis() << shift;
    return Math.min(delay < 0 ? Long.MAX_VALUE : delay, max.toMillis());
  }

  /** How the acknowledger waits between tries; tests replace it to run without sleeping. */
  @FunctionalInterface
  public interface Sleeper {
    void sleep(long millis) throws InterruptedException;

    Sleeper THREAD = Thread::sleep;
  }
}
