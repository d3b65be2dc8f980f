package io.consumergraph.upstream;

import java.util.function.LongSupplier;

/**
 * A token-bucket rate limiter that never blocks: {@link #reserve()} takes a permit and says how
 * long the caller must wait before using it, so async callers schedule the request instead of
 * parking a thread.
 *
 * <p>Kept as "the time the next permit is free" in integer nanoseconds, so waits are exact and
 * testable with a fake clock.
 */
public final class TokenBucket {

  private final long intervalNanos;
  private final long burstNanos;
  private final LongSupplier nanoClock;
  private long nextFreeNanos;

  /**
   * @param permitsPerSecond sustained rate
   * @param burst permits that may be used at once after an idle period (at least 1)
   * @param nanoClock monotonic time in nanoseconds ({@code System::nanoTime}; tests pass a fake)
   */
  public TokenBucket(double permitsPerSecond, int burst, LongSupplier nanoClock) {
    if (permitsPerSecond <= 0 || burst < 1) {
      throw new IllegalArgumentException("rate must be > 0 and burst >= 1");
    }
    this.intervalNanos = Math.max(1, Math.round(1e9 / permitsPerSecond));
    this.burstNanos = (burst - 1) * intervalNanos;
    this.nanoClock = nanoClock;
    this.nextFreeNanos = nanoClock.getAsLong() - burstNanos;
  }

  /** A bucket of this rate with a burst of one: requests are evenly spaced. */
  public static TokenBucket perSecond(double permitsPerSecond) {
    return new TokenBucket(permitsPerSecond, 1, System::nanoTime);
  }

  /**
   * Takes one permit and returns how many nanoseconds the caller must wait before using it (0 when
   * a permit is available now). Permits taken ahead are queued, so waits add up in order.
   */
  public synchronized long reserve() {
    long now = nanoClock.getAsLong();
    // An idle bucket fills up to its burst, no further.
    nextFreeNanos = Math.max(nextFreeNanos, now - burstNanos);
    long wait = Math.max(0, nextFreeNanos - now);
    nextFreeNanos += intervalNanos;
    return wait;
  }
}
