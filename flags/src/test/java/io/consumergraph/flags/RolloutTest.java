package io.consumergraph.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RolloutTest {

  @Test
  void murmur3MatchesThePublishedReferenceVectors() {
    // Reference values of MurmurHash3_x86_32, seed 0 (also what Guava's murmur3_32_fixed gives).
    assertThat(hash("")).isEqualTo(0L);
    assertThat(hash("hello")).isEqualTo(613153351L);
    assertThat(hash("The quick brown fox jumps over the lazy dog")).isEqualTo(776992547L);
    assertThat(hash("ab")).isEqualTo(2613040991L);
    assertThat(hash("abc")).isEqualTo(3017643002L);
    assertThat(hash("abcd")).isEqualTo(1139631978L);
    assertThat(hash("abcde")).isEqualTo(3902511862L);
    assertThat(hash("käse:ü€𝄞")).isEqualTo(6711474L);
  }

  @Test
  void bucketIsPinnedSoItNeverChangesAcrossVersions() {
    // consumer_graph_ingestion:user-1 hashes to 2113128036; 2113128036 % 10000 = 8036.
    assertThat(Rollout.bucket(FlagNames.INGESTION, "user-1")).isEqualTo(8036);
    assertThat(Rollout.enabled(FlagNames.INGESTION, "user-1", 80.36)).isFalse();
    assertThat(Rollout.enabled(FlagNames.INGESTION, "user-1", 80.37)).isTrue();
  }

  @Test
  void zeroIsNobodyAndHundredIsEverybody() {
    assertThat(Rollout.enabled("f", "anyone", 0)).isFalse();
    assertThat(Rollout.enabled("f", "anyone", 100)).isTrue();
  }

  private static long hash(String s) {
    return Integer.toUnsignedLong(Rollout.murmur3x86_32(s.getBytes(StandardCharsets.UTF_8), 0));
  }
}
