package io.consumergraph.tools.backfill;

/**
 * Paces messages to a rate: the n messages of a batch may go once their last one is due on an even
 * schedule, so N messages take N / rate seconds however they are batched. A sender that fell behind
 * (a slow queue) may catch up by at most one second's worth of messages.
 */
public final class Pacer {

  /** Time as the pacer sees it; tests replace it. */
  public interface Ticker {
    long nanoTime();

    void sleepNanos(long nanos) throws InterruptedException;

    Ticker SYSTEM =
        new Ticker() {
          @Override
          public long nanoTime() {
            return System.nanoTime();
          }

          @Override
          public void sleepNanos(long nanos) throws InterruptedException {
            Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
          }
        };
  }

  private static final long MAX_CATCH_UP_NANOS = 1_000_000_000L;

  private final double nanosPerMessage;
  private final Ticker ticker;
  private long nextFree = Long.MIN_VALUE;
  private double carry; // fractional nanoseconds, so slow rates do not drift

  public Pacer(double messagesPerSecond, Ticker ticker) {
    if (!(messagesPerSecond > 0) || Double.isInfinite(messagesPerSecond)) {
      throw new IllegalArgumentException("rate must be positive: " + messagesPerSecond);
    }
    this.nanosPerMessage = 1e9 / messagesPerSecond;
    this.ticker = ticker;
  }

  /** Blocks until {@code n} more messages may be sent. */
  public void acquire(int n) throws InterruptedException {
    long now = ticker.nanoTime();
    if (nextFree == Long.MIN_VALUE) {
      nextFree = now;
    }
    long base = Math.max(nextFree, now - MAX_CATCH_UP_NANOS);
    double exact = n * nanosPerMessage + carry;
    long step = (long) exact;
    carry = exact - step;
    long due = base + step;
    nextFree = due;
    long wait = due - now;
    if (wait > 0) {
      ticker.sleepNanos(wait);
    }
  }

  /** The batch size that keeps sends smooth: up to 10 (SQS's batch limit), one second's worth. */
  public static int batchSize(double messagesPerSecond) {
    return (int) Math.max(1, Math.min(10, Math.floor(messagesPerSecond)));
  }
}
