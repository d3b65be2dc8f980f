package io.consumergraph.operators.merge;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.MergeInput;
import io.consumergraph.model.Origin;
import io.consumergraph.model.Product;
import io.consumergraph.model.UserHistory;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.backfill.UserLoadRequestParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class FullLoadMergerTest {

  private static final UserLoadRequest REQUEST =
      new UserLoadRequest(
          "req-1", "u1", "batch_backfill", 1_700_000_000_000L, 365, "low", false, "bulk");

  private static EnrichedPurchase purchase(String id, Origin origin) {
    return new EnrichedPurchase(
        "u1",
        id,
        Channel.RECEIPT,
        origin,
        1L,
        null,
        new Product[] {new Product("f1", "n", "b", "", new String[0])},
        true);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, MergeInput, GraphUpdate> merger()
      throws Exception {
    var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new FullLoadMerger(Duration.ofDays(3))),
            MergeInput::userId,
            Types.STRING);
    h.open();
    return h;
  }

  private static List<String> ids(GraphUpdate update) {
    return Arrays.stream(update.purchases()).map(EnrichedPurchase::purchaseId).toList();
  }

  @Test
  void aHistoryBecomesOneFullLoadMergedWithTheUsersRecentLivePurchases() throws Exception {
    try (var h = merger()) {
      h.processElement(MergeInput.live(purchase("live-1", Origin.RECEIPT_STREAM)), 0);
      h.processElement(MergeInput.live(purchase("both", Origin.FACTOID_STREAM)), 0);
      UserHistory history =
          new UserHistory(
              REQUEST,
              5L,
              new EnrichedPurchase[] {
                purchase("h1", Origin.BACKFILL), purchase("both", Origin.BACKFILL)
              },
              null);
      h.processElement(MergeInput.history(history), 0);

      List<GraphUpdate> updates = h.extractOutputValues();
      assertThat(updates).hasSize(3);
      assertThat(updates.get(0).fullLoad()).isFalse();
      GraphUpdate full = updates.get(2);
      assertThat(full.fullLoad()).isTrue();
      assertThat(ids(full)).containsExactlyInAnyOrder("h1", "both", "live-1");
      assertThat(h.getSideOutput(FullLoadMerger.OUTCOMES))
          .extracting(StreamRecord::getValue)
          .extracting(LoadOutcome::requestId, LoadOutcome::succeeded)
          .containsExactly(org.assertj.core.groups.Tuple.tuple("req-1", true));
    }
  }

  @Test
  void aFailedLoadWritesNothingAndDeadLettersTheRequestAsJson() throws Exception {
    try (var h = merger()) {
      h.processElement(
          MergeInput.history(new UserHistory(REQUEST, 5L, new EnrichedPurchase[0], "BTS 503")), 0);

      assertThat(h.extractOutputValues()).isEmpty();
      assertThat(h.getSideOutput(FullLoadMerger.OUTCOMES))
          .extracting(r -> r.getValue().succeeded())
          .containsExactly(false);
      DeadLetter letter = h.getSideOutput(FullLoadMerger.FAILED_LOADS).peek().getValue();
      assertThat(letter.reason()).isEqualTo("load-failed");
      assertThat(letter.detail()).isEqualTo("BTS 503");
      String json = new String(letter.payload(), StandardCharsets.UTF_8);
      UserLoadRequestParser.Parsed redriven = UserLoadRequestParser.parse(json, "bulk");
      assertThat(redriven.errors()).isEmpty();
      assertThat(redriven.request()).isEqualTo(REQUEST);
    }
  }

  @Test
  void aUserLoadedFromThePriorityQueueMovesToThePriorityLaneWithEveryUpdateAfter()
      throws Exception {
    UserLoadRequest enrollment =
        new UserLoadRequest(
            "req-2", "u1", "enrollment", 1_700_000_000_000L, 365, "high", false, "enrollments");
    try (var h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new FullLoadMerger(Duration.ofDays(3), "enrollments")),
            MergeInput::userId,
            Types.STRING)) {
      h.open();
      h.processElement(MergeInput.live(purchase("before", Origin.RECEIPT_STREAM)), 0);
      // A bulk load keeps the user in the main output.
      h.processElement(
          MergeInput.history(new UserHistory(REQUEST, 5L, new EnrichedPurchase[0], null)), 0);
      h.processElement(
          MergeInput.history(
              new UserHistory(
                  enrollment, 6L, new EnrichedPurchase[] {purchase("h1", Origin.BACKFILL)}, null)),
          0);
      h.processElement(MergeInput.live(purchase("after", Origin.RECEIPT_STREAM)), 0);

      assertThat(h.extractOutputValues())
          .extracting(u -> u.fullLoad() + ":" + ids(u))
          .containsExactly("false:[before]", "true:[before]");
      assertThat(h.getSideOutput(FullLoadMerger.PRIORITY))
          .extracting(StreamRecord::getValue)
          .extracting(u -> u.fullLoad() + ":" + ids(u))
          .containsExactly("true:[h1, before]", "false:[after]");
      assertThat(h.getSideOutput(FullLoadMerger.OUTCOMES))
          .extracting(r -> r.getValue().requestId())
          .containsExactly("req-1", "req-2");

      // The mark lasts the live retention, then the user's updates go to the main output again.
      h.setStateTtlProcessingTime(Duration.ofDays(3).toMillis() + 1);
      h.processElement(MergeInput.live(purchase("later", Origin.RECEIPT_STREAM)), 0);
      assertThat(h.extractOutputValues())
          .last()
          .extracting(FullLoadMergerTest::ids)
          .isEqualTo(List.of("later"));
    }
  }

  @Test
  void withoutAPriorityQueueEveryUpdateGoesToTheMainOutput() throws Exception {
    UserLoadRequest enrollment =
        new UserLoadRequest("req-2", "u1", "enrollment", 1L, 365, "high", false, "enrollments");
    try (var h = merger()) {
      h.processElement(
          MergeInput.history(new UserHistory(enrollment, 6L, new EnrichedPurchase[0], null)), 0);
      h.processElement(MergeInput.live(purchase("after", Origin.RECEIPT_STREAM)), 0);
      assertThat(h.extractOutputValues()).hasSize(2);
      assertThat(h.getSideOutput(FullLoadMerger.PRIORITY)).isNull();
    }
  }
}
