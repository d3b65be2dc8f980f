package io.consumergraph.simulator;

import java.nio.charset.StandardCharsets;

/** Stable 64-bit hashing, so synthetic data is the same in every JVM and every run. */
final class StableHash {

  private StableHash() {}

  /**
   * A hash of {@code key} salted with the seed. Eight bytes at a time are folded in through a full
   * mix: plain FNV-1a with a final mix skewed the shop-order quantiles over sequential user ids
   * (p90 of 20K users at 36 instead of 32).
   */
  static long of(long seed, String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    long h = mix(seed ^ 0x9e3779b97f4a7c15L) ^ bytes.length;
    long word = 0;
    int filled = 0;
    for (byte b : bytes) {
      word = (word << 8) | (b & 0xff);
      if (++filled == 8) {
        h = mix(h ^ word) + 0x9e3779b97f4a7c15L;
        word = 0;
        filled = 0;
      }
    }
    return mix(h ^ word ^ ((long) filled << 56));
  }

  /** SplitMix64's finaliser: spreads every input bit over the whole output. */
  static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
    z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
    return z ^ (z >>> 31);
  }

  /** A value in [0, 1) from a hash. */
  static double unit(long hash) {
    return (hash >>> 11) * 0x1.0p-53;
  }

  /** A value in [0, bound) from a hash. */
  static int below(long hash, int bound) {
    return (int) Math.floorMod(hash, (long) bound);
  }
}
