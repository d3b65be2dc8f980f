package io.consumergraph.simulator;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** The live request counters of one endpoint family, read as {@link FamilyStats}. */
final class FamilyCounters {

  private final AtomicLong requests = new AtomicLong();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private final AtomicLong injectedFailures = new AtomicLong();

  /** A request arrived and is being handled. */
  void begin() {
    requests.incrementAndGet();
    int now = inFlight.incrementAndGet();
    maxInFlight.accumulateAndGet(now, Math::max);
  }

  /** A request has been handled. */
  void end() {
    inFlight.decrementAndGet();
  }

  void injectedFailure() {
    injectedFailures.incrementAndGet();
  }

  long requests() {
    return requests.get();
  }

  int maxInFlight() {
    return maxInFlight.get();
  }

  /** Zeroes the counts; requests still in flight stay counted as in flight. */
  void reset() {
    requests.set(0);
    maxInFlight.set(inFlight.get());
    injectedFailures.set(0);
  }

  FamilyStats snapshot() {
    return new FamilyStats(
        requests.get(), inFlight.get(), maxInFlight.get(), injectedFailures.get());
  }
}
