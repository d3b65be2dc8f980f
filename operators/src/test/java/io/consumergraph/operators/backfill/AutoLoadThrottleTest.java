package io.consumergraph.operators.backfill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.model.UserLoadRequest;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class AutoLoadThrottleTest {

  private static KeyedOneInputStreamOperatorTestHarness<String, UserLoadRequest, UserLoadRequest>
      throttle(double rate, OperatorSubtaskState restoreFrom) throws Exception {
    var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new AutoLoadThrottle(rate)),
            UserLoadRequest::userId,
            Types.STRING);
    if (restoreFrom != null) {
      harness.initializeState(restoreFrom);
    }
    harness.open();
    return harness;
  }

  private static UserLoadRequest request(String user, boolean force) {
    return new UserLoadRequest(
        "r-" + user, user, "auto_enabled", 0, 365, "low", force, "user-gate");
  }

  private static List<String> sent(
      KeyedOneInputStreamOperatorTestHarness<String, UserLoadRequest, UserLoadRequest> h) {
    return h.extractOutputValues().stream()
        .map(r -> r.userId() + (r.force() ? " forced" : ""))
        .toList();
  }

  @Test
  void requestsGoOnOnePerIntervalAndTheRestWaitWithoutBlocking() throws Exception {
    try (var throttle = throttle(2.0, null)) {
      throttle.setProcessingTime(10_000);
      for (String user : List.of("a", "b", "c", "d", "e")) {
        throttle.processElement(request(user, false), 0);
      }
      // processElement returned for all five: the gate upstream is never held up.
      throttle.setProcessingTime(10_000);
      assertThat(sent(throttle)).containsExactly("a");
      throttle.setProcessingTime(10_499);
      assertThat(sent(throttle)).containsExactly("a");
      throttle.setProcessingTime(10_500);
      assertThat(sent(throttle)).containsExactly("a", "b");
      throttle.setProcessingTime(12_000);
      assertThat(sent(throttle)).containsExactly("a", "b", "c", "d", "e");

      // After a quiet spell a request goes at once.
      throttle.setProcessingTime(60_000);
      throttle.processElement(request("f", false), 0);
      throttle.setProcessingTime(60_000);
      assertThat(sent(throttle)).hasSize(6);
    }
  }

  @Test
  void aSecondRequestForAWaitingUserJoinsItForcedIfEitherWas() throws Exception {
    try (var throttle = throttle(1.0, null)) {
      throttle.processElement(request("a", false), 0);
      throttle.processElement(request("b", false), 0);
      throttle.processElement(request("b", true), 0);
      throttle.processElement(request("b", false), 0);
      throttle.setProcessingTime(5_000);
      assertThat(sent(throttle)).containsExactly("a", "b forced");
    }
  }

  @Test
  void waitingRequestsAndTheNextSlotSurviveARestore() throws Exception {
    OperatorSubtaskState state;
    try (var throttle = throttle(1.0, null)) {
      throttle.setProcessingTime(1_000);
      for (String user : List.of("a", "b", "c")) {
        throttle.processElement(request(user, false), 0);
      }
      throttle.setProcessingTime(1_000);
      state = throttle.snapshot(1, 1);
    }
    try (var restored = throttle(1.0, state)) {
      restored.setProcessingTime(1_000);
      restored.processElement(request("d", false), 0);
      restored.setProcessingTime(3_000);
      assertThat(sent(restored))
          .as("d waits behind the restored b and c")
          .containsExactly("b", "c");
      restored.setProcessingTime(4_000);
      assertThat(sent(restored)).containsExactly("b", "c", "d");
    }
  }

  @Test
  void aRateThatIsNotAPositiveNumberIsRefused() {
    for (double rate : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
      assertThatThrownBy(() -> new AutoLoadThrottle(rate))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("positive");
    }
  }
}
