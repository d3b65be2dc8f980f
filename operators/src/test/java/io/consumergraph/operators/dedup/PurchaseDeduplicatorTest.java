package io.consumergraph.operators.dedup;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class PurchaseDeduplicatorTest {

  private static final Duration TTL = Duration.ofHours(1);

  private static PurchaseEvent purchase(String user, String id) {
    return new PurchaseEvent(
        user,
        id,
        Channel.RECEIPT,
        Origin.RECEIPT_STREAM,
        1L,
        "r",
        "shop",
        new PurchasedItem[] {new PurchasedItem("f", "d", "b", 1, 1)});
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, PurchaseEvent, PurchaseEvent>
      harness() throws Exception {
    KeyedOneInputStreamOperatorTestHarness<String, PurchaseEvent, PurchaseEvent> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PurchaseDeduplicator(TTL)),
            PurchaseEvent::userId,
            Types.STRING);
    h.open();
    return h;
  }

  @Test
  void aPurchaseIdPassesOncePerUser() throws Exception {
    try (var h = harness()) {
      h.processElement(purchase("u1", "r1"), 0);
      h.processElement(purchase("u1", "r1"), 0);
      h.processElement(purchase("u1", "r2"), 0);
      h.processElement(purchase("u2", "r1"), 0);

      assertThat(h.extractOutputValues())
          .extracting(p -> p.userId() + "/" + p.purchaseId())
          .containsExactly("u1/r1", "u1/r2", "u2/r1");
    }
  }

  @Test
  void aLogOnlyRunChecksKnownIdsButRecordsNone() throws Exception {
    OperatorSubtaskState known;
    try (var h = harness()) {
      h.processElement(purchase("u1", "r1"), 0);
      known = h.snapshot(1, 1);
    }
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PurchaseDeduplicator(TTL, true)),
            PurchaseEvent::userId,
            Types.STRING)) {
      h.initializeState(known);
      h.open();
      h.processElement(purchase("u1", "r1"), 0); // known before the dry run: a duplicate
      h.processElement(purchase("u1", "r2"), 0);
      h.processElement(purchase("u1", "r2"), 0); // not recorded, so it passes again

      assertThat(h.extractOutputValues())
          .extracting(PurchaseEvent::purchaseId)
          .containsExactly("r2", "r2");
    }
  }

  @Test
  void theSeenSetSurvivesASnapshotAndRestore() throws Exception {
    OperatorSubtaskState snapshot;
    try (var h = harness()) {
      h.processElement(purchase("u1", "r1"), 0);
      snapshot = h.snapshot(1L, 1L);
    }
    try (var restored =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PurchaseDeduplicator(TTL)),
            PurchaseEvent::userId,
            Types.STRING)) {
      restored.initializeState(snapshot);
      restored.open();
      restored.processElement(purchase("u1", "r1"), 0);
      restored.processElement(purchase("u1", "r3"), 0);

      assertThat(restored.extractOutputValues())
          .extracting(PurchaseEvent::purchaseId)
          .containsExactly("r3");
    }
  }

  @Test
  void aPurchaseIdIsForgottenAfterTheTtl() throws Exception {
    try (var h = harness()) {
      h.setStateTtlProcessingTime(0);
      h.processElement(purchase("u1", "r1"), 0);
      h.setStateTtlProcessingTime(TTL.toMillis() - 1);
      h.processElement(purchase("u1", "r1"), 0);
      h.setStateTtlProcessingTime(TTL.toMillis() + 1);
      h.processElement(purchase("u1", "r1"), 0);

      assertThat(h.extractOutputValues()).hasSize(2);
    }
  }
}
