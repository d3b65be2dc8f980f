package io.consumergraph.simulator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Random;

/**
 * Latency and failure injection for one endpoint family. Rates draw from a seeded generator, so a
 * single-threaded sequence of requests sees the same failures in every run; {@link #failNext} is
 * exact and is what tests should use.
 */
public final class FaultKnobs {

  private static final long RANDOM_SEED = 7L;

  private long latencyMs;
  private long jitterMs;
  private double throttleRate;
  private double errorRate;
  private boolean fastFailures;
  private final Deque<Integer> forced = new ArrayDeque<>();
  private Random random = new Random(RANDOM_SEED);

  /** Every request waits {@code latencyMs} plus a uniform jitter in [0, jitterMs]. */
  public synchronized FaultKnobs latency(long latencyMs, long jitterMs) {
    if (latencyMs < 0 || jitterMs < 0) {
      throw new IllegalArgumentException("latency and jitter must be >= 0");
    }
    this.latencyMs = latencyMs;
    this.jitterMs = jitterMs;
    return this;
  }

  /** Share of requests answered with 429 Too Many Requests. */
  public synchronized FaultKnobs throttleRate(double rate) {
    this.throttleRate = checkRate(rate);
    return this;
  }

  /** Share of requests answered with 503 Service Unavailable. */
  public synchronized FaultKnobs errorRate(double rate) {
    this.errorRate = checkRate(rate);
    return this;
  }

  /** The next {@code count} requests of this family are answered with {@code status}. */
  public synchronized FaultKnobs failNext(int count, int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be an HTTP error status: " + status);
    }
    for (int i = 0; i < count; i++) {
      forced.addLast(status);
    }
    return this;
  }

  /**
   * The next {@code skip} requests of this family are served, then {@code count} are answered with
   * {@code status}: aims a failure at, say, the 11th BTS detail call after the list call.
   */
  public synchronized FaultKnobs failAfter(int skip, int count, int status) {
    if (status < 400 || status > 599) {
      throw new IllegalArgumentException("status must be an HTTP error status: " + status);
    }
    for (int i = 0; i < skip; i++) {
      forced.addLast(0);
    }
    return failNext(count, status);
  }

  /**
   * Injected failures are answered at once instead of after the latency, as from a load balancer
   * that rejects a request: a slow call can then still be on the wire when a later one has already
   * failed, which is what fail-fast cancellation is about.
   */
  public synchronized FaultKnobs fastFailures(boolean fastFailures) {
    this.fastFailures = fastFailures;
    return this;
  }

  public synchronized boolean fastFailures() {
    return fastFailures;
  }

  /** No latency, no failures, the random sequence restarted. */
  public synchronized FaultKnobs reset() {
    latencyMs = 0;
    jitterMs = 0;
    throttleRate = 0;
    errorRate = 0;
    fastFailures = false;
    forced.clear();
    random = new Random(RANDOM_SEED);
    return this;
  }

  public synchronized long latencyMs() {
    return latencyMs;
  }

  public synchronized long jitterMs() {
    return jitterMs;
  }

  public synchronized double throttleRate() {
    return throttleRate;
  }

  public synchronized double errorRate() {
    return errorRate;
  }

  /** Failures still queued by {@link #failNext} and {@link #failAfter}. */
  public synchronized int pendingFailures() {
    return (int) forced.stream().filter(status -> status != 0).count();
  }

  /** The delay to apply to the next request, in milliseconds. */
  synchronized long nextDelayMs() {
    return jitterMs == 0 ? latencyMs : latencyMs + (long) (random.nextDouble() * (jitterMs + 1));
  }

  /** The error status to answer the next request with, or 0 to serve it. */
  synchronized int nextFailure() {
    Integer status = forced.pollFirst();
    if (status != null) {
      return status; // 0: a request failAfter lets through
    }
    if (throttleRate > 0 || errorRate > 0) {
      double u = random.nextDouble();
      if (u < throttleRate) {
        return 429;
      }
      if (u < throttleRate + errorRate) {
        return 503;
      }
    }
    return 0;
  }

  private static double checkRate(double rate) {
    if (rate < 0 || rate > 1) {
      throw new IllegalArgumentException("rate must be in [0, 1]: " + rate);
    }
    return rate;
  }
}
