package io.consumergraph.flags;

import java.nio.charset.StandardCharsets;

/**
 * Stable percentage rollout: a user's bucket is MurmurHash3 (x86, 32-bit, seed 0) of the UTF-8
 * bytes of {@code flagName + ":" + userId}, read as an unsigned int, modulo 10,000.
 *
 * <p>The same inputs give the same bucket in every JVM and every version of this code, so a user's
 * enablement never flips between subtasks or restarts. A user is enabled at percentage {@code p}
 * when {@code bucket < p * 100}: raising the percentage only ever adds users.
 */
public final class Rollout {

  /** Buckets per flag: 10,000 gives a resolution of 0.01 percentage points. */
  public static final int BUCKETS = 10_000;

  private static final String SEPARATOR = ":";

  private Rollout() {}

  /** The user's bucket for the flag, in {@code 0..9999}. */
  public static int bucket(String flagName, String userId) {
    byte[] key = (flagName + SEPARATOR + userId).getBytes(StandardCharsets.UTF_8);
    return (int) (Integer.toUnsignedLong(murmur3x86_32(key, 0)) % BUCKETS);
  }

  /** Whether the user falls inside a rollout of {@code percentage} (0..100, decimals allowed). */
  public static boolean enabled(String flagName, String userId, double percentage) {
    if (percentage <= 0) {
      return false;
    }
    if (percentage >= 100) {
      return true;
    }
    return bucket(flagName, userId) < percentage * 100;
  }

  /** MurmurHash3_x86_32 as published by Austin Appleby (public domain reference algorithm). */
  static int murmur3x86_32(byte[] data, int seed) {
    final int c1 = 0xcc9e2d51;
    final int c2 = 0x1b873593;
    int h1 = seed;
    int length = data.length;
    int blocks = length / 4;
    for (int i = 0; i < blocks; i++) {
      int offset = i * 4;
      int k1 =
          (data[offset] & 0xff)
              | (data[offset + 1] & 0xff) << 8
              | (data[offset + 2] & 0xff) << 16
              | (data[offset + 3] & 0xff) << 24;
      k1 *= c1;
      k1 = Integer.rotateLeft(k1, 15);
      k1 *= c2;
      h1 ^= k1;
      h1 = Integer.rotateLeft(h1, 13);
      h1 = h1 * 5 + 0xe6546b64;
    }
    int tail = blocks * 4;
    int k1 = 0;
    switch (length & 3) {
      case 3:
        k1 ^= (data[tail + 2] & 0xff) << 16;
        // fall through
      case 2:
        k1 ^= (data[tail + 1] & 0xff) << 8;
        // fall through
      case 1:
        k1 ^= data[tail] & 0xff;
        k1 *= c1;
        k1 = Integer.rotateLeft(k1, 15);
        k1 *= c2;
        h1 ^= k1;
        break;
      default:
        break;
    }
    h1 ^= length;
    h1 ^= h1 >>> 16;
    h1 *= 0x85ebca6b;
    h1 ^= h1 >>> 13;
    h1 *= 0xc2b2ae35;
    h1 ^= h1 >>> 16;
    return h1;
  }
}
