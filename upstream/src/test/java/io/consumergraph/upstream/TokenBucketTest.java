package io.consumergraph.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {

  private static final long MS = 1_000_000L;

  private final AtomicLong clock = new AtomicLong(5_000 * MS);

  @Test
  void tenPerSecondSpacesRequestsAHundredMillisecondsApart() {
    TokenBucket bucket = new TokenBucket(10, 1, clock::get);
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isEqualTo(100 * MS);
    assertThat(bucket.reserve()).isEqualTo(200 * MS);
    assertThat(bucket.reserve()).isEqualTo(300 * MS);
  }

  @Test
  void waitsShrinkAsTimePasses() {
    TokenBucket bucket = new TokenBucket(10, 1, clock::get);
    bucket.reserve();
    clock.addAndGet(40 * MS);
    assertThat(bucket.reserve()).isEqualTo(60 * MS);
    clock.addAndGet(160 * MS); // the queue is drained: a permit is free again
    assertThat(bucket.reserve()).isZero();
  }

  @Test
  void anIdleBucketStoresNoMoreThanItsBurst() {
    TokenBucket bucket = new TokenBucket(10, 3, clock::get);
    clock.addAndGet(60_000 * MS);
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isZero();
    assertThat(bucket.reserve()).isEqualTo(100 * MS);
  }

  @Test
  void sustainedRateNeverExceedsTheLimit() {
    TokenBucket bucket = new TokenBucket(10, 1, clock::get);
    long start = clock.get();
    long lastAllowed = 0;
    for (int i = 0; i < 100; i++) {
      clock.addAndGet(7 * MS); // callers arrive every 7 ms, faster than allowed
      lastAllowed = clock.get() + bucket.reserve();
    }
    // 100 permits at 10/s from a full bucket of one: the last one is 9.9 s after the start.
    assertThat(lastAllowed - start).isGreaterThanOrEqualTo(9_900 * MS);
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new TokenBucket(0, 1, clock::get))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TokenBucket(1, 0, clock::get))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
