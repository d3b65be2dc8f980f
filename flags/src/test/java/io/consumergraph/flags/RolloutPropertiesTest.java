package io.consumergraph.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.StringLength;

class RolloutPropertiesTest {

  @Property
  void raisingThePercentageNeverDropsAUser(
      @ForAll @StringLength(min = 1, max = 40) String userId,
      @ForAll @DoubleRange(min = 0, max = 100) double p,
      @ForAll @DoubleRange(min = 0, max = 100) double q) {
    double low = Math.min(p, q);
    double high = Math.max(p, q);
    if (Rollout.enabled(FlagNames.INGESTION, userId, low)) {
      assertThat(Rollout.enabled(FlagNames.INGESTION, userId, high)).isTrue();
    }
  }

  @Property
  void bucketIsStableAndInRange(
      @ForAll @StringLength(max = 60) String flag, @ForAll @StringLength(max = 60) String userId) {
    int bucket = Rollout.bucket(flag, userId);
    assertThat(bucket).isBetween(0, Rollout.BUCKETS - 1);
    assertThat(Rollout.bucket(new String(flag), new String(userId))).isEqualTo(bucket);
  }

  @net.jqwik.api.Example
  void sequentialIdsAreSpreadEvenlyToo() {
    for (double percentage : new double[] {0.5, 5, 33.3, 50, 99}) {
      int enabled = 0;
      for (int i = 0; i < 100_000; i++) {
        if (Rollout.enabled(FlagNames.INGESTION, "user-" + i, percentage)) {
          enabled++;
        }
      }
      assertThat(enabled / 1000.0)
          .as("share at %s%%", percentage)
          .isCloseTo(percentage, org.assertj.core.data.Offset.offset(1.0));
    }
  }

  @Property(tries = 5)
  void shareEnabledIsWithinOnePointOfThePercentage(
      @ForAll @DoubleRange(min = 0, max = 100) double percentage, @ForAll @LongRange long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    int users = 100_000;
    int enabled = 0;
    for (int i = 0; i < users; i++) {
      String userId = Long.toHexString(random.nextLong()) + "-" + random.nextInt(1000);
      if (Rollout.enabled(FlagNames.INGESTION, userId, percentage)) {
        enabled++;
      }
    }
    double share = 100.0 * enabled / users;
    assertThat(share).isCloseTo(percentage, org.assertj.core.data.Offset.offset(1.0));
  }
}
