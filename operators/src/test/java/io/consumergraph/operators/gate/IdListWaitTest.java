package io.consumergraph.operators.gate;

import static io.consumergraph.operators.gate.Flags.BETA_LIST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.operators.gate.AdmissionPolicy.Admission;
import io.consumergraph.operators.gate.AdmissionPolicy.Verdict;
import io.consumergraph.operators.gate.IdListWait.Step;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IdListWaitTest {

  private static final long GRACE = 60_000;

  private final IdListWait wait = new IdListWait(Duration.ofMillis(GRACE));

  @Test
  void aListVersionStreamsForAGraceAfterTheSnapshotThatMadeItCurrent() throws Exception {
    var flags = Flags.beta("v1");
    wait.snapshotArrived(flags, 1_000);

    assertThat(wait.streamingLists(flags, 1_000 + GRACE - 1)).containsExactly(BETA_LIST);
    assertThat(wait.streamingLists(flags, 1_000 + GRACE)).isEmpty();
  }

  @Test
  void aVersionNoSnapshotAnnouncedHereCountsFromItsFirstUse() throws Exception {
    var flags = Flags.beta("v1");

    assertThat(wait.streamingLists(flags, 5_000)).containsExactly(BETA_LIST);
    assertThat(wait.streamingLists(flags, 5_000 + GRACE)).isEmpty();
  }

  @Test
  void aNewVersionStreamsAfreshAndAReturningOneDoesToo() throws Exception {
    wait.snapshotArrived(Flags.beta("v1"), 0);
    wait.snapshotArrived(Flags.beta("v2"), 2 * GRACE);
    assertThat(wait.streamingLists(Flags.beta("v2"), 2 * GRACE + 1)).containsExactly(BETA_LIST);

    // v1 was forgotten when v2 replaced it: back again, it counts from now.
    wait.snapshotArrived(Flags.beta("v1"), 4 * GRACE);
    assertThat(wait.streamingLists(Flags.beta("v1"), 4 * GRACE + 1)).containsExactly(BETA_LIST);
  }

  @Test
  void aRefusedPurchaseWaitsOnlyWhileAListThatWouldAdmitItStreams() throws Exception {
    var flags = Flags.beta("v2");
    wait.snapshotArrived(flags, 0);

    assertThat(wait.shouldWait(flags, "u7", Map.of(BETA_LIST, List.of("v1")), 10)).isTrue();
    assertThat(wait.shouldWait(flags, "u7", Map.of(), GRACE)).as("the grace is over").isFalse();
    var off =
        Flags.snapshot(
            Flags.BETA.replace("enabled: true", "enabled: false"), Map.of(BETA_LIST, "v2"));
    assertThat(wait.shouldWait(off, "u7", Map.of(), 10)).isFalse();
  }

  @Test
  void theFirstWaitingPurchaseFixesTheDeadline() {
    assertThat(wait.deadline(null, 5_000)).isEqualTo(5_000 + GRACE);
    assertThat(wait.deadline(7_000L, 50_000)).isEqualTo(7_000);
  }

  @Test
  void waitingPurchasesAreAdmittedWhenTheFlagAdmitsThemElseDroppedAtTheDeadline() {
    Admission admitted = new Admission(Verdict.ADMIT, "segment:Beta");
    Admission refused = new Admission(Verdict.REFUSE, "none");

    assertThat(IdListWait.rejudge(admitted, 100, 200)).isEqualTo(Step.ADMIT);
    assertThat(IdListWait.rejudge(refused, 100, 99)).isEqualTo(Step.WAIT_ON);
    assertThat(IdListWait.rejudge(refused, 100, 100)).isEqualTo(Step.DROP);
  }

  @Test
  void aNegativeGraceIsRefused() {
    assertThatThrownBy(() -> new IdListWait(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idListGrace");
  }
}
