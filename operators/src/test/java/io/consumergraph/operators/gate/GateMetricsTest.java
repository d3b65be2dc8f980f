package io.consumergraph.operators.gate;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.operators.testing.CapturedMetrics;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class GateMetricsTest {

  private final CapturedMetrics registry = new CapturedMetrics();
  private final AtomicReference<FlagSnapshot> flags =
      new AtomicReference<>(FlagSnapshot.noDocumentYet());
  private final GateMetrics metrics = new GateMetrics(registry, flags::get);

  @Test
  void itsNamesAreThoseTheDashboardsAndAlertsUse() {
    assertThat(registry.names())
        .containsExactlyInAnyOrder(
            "gate.held",
            "gate.released",
            "gate.awaitingFlags",
            "gate.awaitingIdLists",
            "gate.idListMemberships",
            "gate.enrollments",
            "gate.autoLoadRequests",
            "gate.autoLoadReenabledRequests",
            "gate.heldNow",
            "gate.releasing",
            "gate.awaitingFlagsNow",
            "gate.documentLoaded",
            "gate.receiptKillswitch",
            "gate.factoidKillswitch");
  }

  @Test
  void aDecisionGetsItsCounterOnFirstUseUnderAPortableName() {
    metrics.passed("segment:Team Users").inc();
    metrics.passed("segment:Team Users").inc();
    metrics.dropped("none").inc();

    assertThat(registry.count("gate.passed_segment_Team_Users")).isEqualTo(2);
    assertThat(registry.count("gate.dropped_none")).isEqualTo(1);
    assertThat(registry.names()).hasSize(16);
  }

  @Test
  void theGaugesReadTheCurrentSnapshotAndCounts() throws Exception {
    assertThat(registry.value("gate.documentLoaded")).isEqualTo(0);
    flags.set(Flags.everyone(true, false));
    metrics.heldNow = 3;

    assertThat(registry.value("gate.documentLoaded")).isEqualTo(1);
    assertThat(registry.value("gate.receiptKillswitch")).isEqualTo(1);
    assertThat(registry.value("gate.factoidKillswitch")).isEqualTo(0);
    assertThat(registry.value("gate.heldNow")).isEqualTo(3L);
  }
}
