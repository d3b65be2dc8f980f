package io.consumergraph.tools.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProgressReportTest {

  @Test
  void formatsTheRunbookLine() {
    assertThat(ProgressReport.line(5000, 75000, Duration.ofSeconds(500), 5000))
        .isEqualTo("Sent 5000/75000 (6.7%), elapsed: 8m20s, rate: 10.0/s");
  }

  @Test
  void formatsDurationsLikeGo() {
    assertThat(ProgressReport.duration(Duration.ofMillis(4_400))).isEqualTo("4s");
    assertThat(ProgressReport.duration(Duration.ofMinutes(8))).isEqualTo("8m0s");
    assertThat(ProgressReport.duration(Duration.ofSeconds(7503))).isEqualTo("2h5m3s");
  }
}
