package io.consumergraph.job.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.junit.jupiter.api.Test;

class StartingOffsetsTest {

  @Test
  void parsesEveryStartPosition() {
    assertThat(StartingOffsets.parse("committed").getAutoOffsetResetStrategy())
        .isEqualTo(OffsetResetStrategy.EARLIEST);
    assertThat(StartingOffsets.parse("earliest").getAutoOffsetResetStrategy())
        .isEqualTo(OffsetResetStrategy.EARLIEST);
    assertThat(StartingOffsets.parse("latest").getAutoOffsetResetStrategy())
        .isEqualTo(OffsetResetStrategy.LATEST);
    assertThat(StartingOffsets.parse("timestamp:1700000000000")).isNotNull();
  }

  @Test
  void rejectsUnknownPositionsWithTheAllowedValues() {
    assertThatThrownBy(() -> StartingOffsets.parse("beginning"))
        .hasMessageContaining("committed, earliest, latest or timestamp:<epochMs>");
    assertThatThrownBy(() -> StartingOffsets.parse("timestamp:yesterday"))
        .hasMessageContaining("'yesterday' is not an epoch-millisecond timestamp");
  }
}
