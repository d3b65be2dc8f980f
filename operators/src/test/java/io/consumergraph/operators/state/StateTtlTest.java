package io.consumergraph.operators.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.junit.jupiter.api.Test;

class StateTtlTest {

  @Test
  void entriesExpireAfterTheirLastWriteAreNeverReadExpiredAndRocksDbCompactsThemAway() {
    StateTtlConfig ttl = StateTtl.afterWrite(Duration.ofDays(7));

    assertThat(ttl.getTimeToLive()).isEqualTo(Duration.ofDays(7));
    assertThat(ttl.getUpdateType()).isEqualTo(StateTtlConfig.UpdateType.OnCreateAndWrite);
    assertThat(ttl.getStateVisibility())
        .isEqualTo(StateTtlConfig.StateVisibility.NeverReturnExpired);
    assertThat(ttl.getTtlTimeCharacteristic())
        .isEqualTo(StateTtlConfig.TtlTimeCharacteristic.ProcessingTime);
    assertThat(ttl.getCleanupStrategies().inRocksdbCompactFilter()).isTrue();
    assertThat(compactionEntriesPerTimeQuery(ttl)).isEqualTo(1000);
  }

  @Test
  void theBuilderTakesAnotherCleanupOnTopOfTheCommonOne() {
    StateTtlConfig ttl =
        StateTtl.builder(Duration.ofHours(1)).cleanupIncrementally(10, false).build();

    assertThat(ttl.getCleanupStrategies().getIncrementalCleanupStrategy().getCleanupSize())
        .isEqualTo(10);
    assertThat(compactionEntriesPerTimeQuery(ttl)).isEqualTo(1000);
  }

  @Test
  void expireAfterWriteEnablesTheTtlOnTheDescriptor() {
    ValueStateDescriptor<Long> descriptor =
        StateTtl.expireAfterWrite(
            new ValueStateDescriptor<>("some-state", Types.LONG), Duration.ofMinutes(5));

    assertThat(descriptor.getTtlConfig().isEnabled()).isTrue();
    assertThat(descriptor.getTtlConfig().getTimeToLive()).isEqualTo(Duration.ofMinutes(5));
  }

  private static long compactionEntriesPerTimeQuery(StateTtlConfig ttl) {
    return ttl.getCleanupStrategies()
        .getRocksdbCompactFilterCleanupStrategy()
        .getQueryTimeAfterNumEntries();
  }
}
