package io.consumergraph.operators.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.UserLoadRequest;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

class LoadCoordinatorTest {

  private static final Duration TTL = Duration.ofDays(7);
  private static final Duration IN_FLIGHT = Duration.ofMinutes(30);

  private static UserLoadRequest request(String user, String id, boolean force) {
    return new UserLoadRequest(id, user, "batch_backfill", 1L, 365, "low", force, "q");
  }

  private static KeyedTwoInputStreamOperatorTestHarness<
          String, UserLoadRequest, LoadOutcome, UserLoadRequest>
      coordinator() throws Exception {
    var h =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(new LoadCoordinator(TTL, IN_FLIGHT)),
            UserLoadRequest::userId,
            LoadOutcome::userId,
            Types.STRING);
    h.open();
    return h;
  }

  @Test
  void aRedeliveredRequestRunsOnce() throws Exception {
    try (var h = coordinator()) {
      h.processElement1(request("u1", "req-1", false), 0);
      h.processElement1(request("u1", "req-1", false), 0); // while in flight
      h.processElement2(new LoadOutcome("u1", "req-1", true, 5), 0);
      h.processElement1(request("u1", "req-1", true), 0); // after it succeeded, even forced

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("req-1");
    }
  }

  @Test
  void aRequestReDrivenFromTheDeadLetterQueueAfterItsLoadFailedRunsAgain() throws Exception {
    try (var h = coordinator()) {
      h.processElement1(request("u1", "req-1", false), 0);
      h.processElement2(new LoadOutcome("u1", "req-1", false, 5), 0);
      h.processElement1(request("u1", "req-1", false), 0);

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("req-1", "req-1");
    }
  }

  @Test
  void aReDriveThatArrivesBeforeItsLoadsFailureRunsOnceTheFailureIsKnown() throws Exception {
    try (var h = coordinator()) {
      h.processElement1(request("u1", "req-1", false), 0);
      h.processElement1(request("u1", "req-1", false), 0); // re-driven while still in flight
      h.processElement2(new LoadOutcome("u1", "req-1", false, 5), 0);
      h.processElement2(new LoadOutcome("u1", "req-1", true, 6), 0);
      h.processElement1(request("u1", "req-1", false), 0); // a redelivery after the success

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("req-1", "req-1");
    }
  }

  @Test
  void anOutcomeOfARequestThatIsNotInFlightIsIgnored() throws Exception {
    try (var h = coordinator()) {
      // A success re-read by a fresh-state replay, for a request this state never started.
      h.processElement2(new LoadOutcome("u1", "long-ago", true, 5), 0);
      h.processElement1(request("u1", "a", false), 0);
      // A late success of another request does not end a's load or mark the user loaded.
      h.processElement2(new LoadOutcome("u1", "other", true, 6), 0);
      h.processElement1(request("u1", "b", false), 0);
      h.processElement2(new LoadOutcome("u1", "a", false, 7), 0);

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("a", "b");
    }
  }

  @Test
  void aRequestArrivingWhileALoadIsInFlightRunsWhenThatLoadFails() throws Exception {
    try (var h = coordinator()) {
      h.processElement1(request("u1", "a", false), 0);
      h.processElement1(request("u1", "b", false), 0);
      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("a");

      h.processElement2(new LoadOutcome("u1", "a", false, 5), 0);

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("a", "b");
    }
  }

  @Test
  void aForcedRequestArrivingWhileALoadIsInFlightRunsAfterItSucceedsAndAnUnforcedOneIsSkipped()
      throws Exception {
    try (var h = coordinator()) {
      h.processElement1(request("u1", "a", false), 0);
      h.processElement1(request("u1", "forced", true), 0);
      h.processElement1(request("u1", "later", false), 0); // the newest, forced as one waited so
      h.processElement2(new LoadOutcome("u1", "a", true, 5), 0);
      h.processElement1(request("u2", "x", false), 0);
      h.processElement1(request("u2", "y", false), 0);
      h.processElement2(new LoadOutcome("u2", "x", true, 5), 0);

      List<UserLoadRequest> out = h.extractOutputValues();
      assertThat(out).extracting(UserLoadRequest::requestId).containsExactly("a", "later", "x");
      assertThat(out.get(1).force()).isTrue();
    }
  }

  @Test
  void aUserLoadedWithinTheTtlIsSkippedUnlessForced() throws Exception {
    try (var h = coordinator()) {
      h.processElement1(request("u1", "a", false), 0);
      h.processElement2(new LoadOutcome("u1", "a", true, 10), 0);
      h.processElement1(request("u1", "b", false), 0);
      h.processElement1(request("u1", "c", true), 0);

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("a", "c");
    }
  }

  @Test
  void aFailedLoadDoesNotMarkTheUserLoaded() throws Exception {
    try (var h = coordinator()) {
      h.processElement1(request("u1", "a", false), 0);
      h.processElement2(new LoadOutcome("u1", "a", false, 10), 0);
      h.processElement1(request("u1", "b", false), 0);

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("a", "b");
    }
  }

  @Test
  void aLoadWhoseOutcomeNeverComesStopsBlockingItsUserAfterTheInFlightTimeout() throws Exception {
    try (var h = coordinator()) {
      h.setProcessingTime(0);
      h.processElement1(request("u1", "a", false), 0);
      h.processElement1(request("u1", "b", false), 0);
      h.setProcessingTime(IN_FLIGHT.toMillis() + 1); // a's mark expires: b, which waited, runs
      h.processElement1(request("u1", "c", false), 0); // waits behind b

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("a", "b");
    }
  }

  @Test
  void theLoadedMarkExpiresAfterTheTtl() throws Exception {
    try (var h = coordinator()) {
      h.setStateTtlProcessingTime(0);
      h.processElement1(request("u1", "a", false), 0);
      h.processElement2(new LoadOutcome("u1", "a", true, 0), 0);
      h.setStateTtlProcessingTime(TTL.toMillis() + 1);
      h.processElement1(request("u1", "b", false), 0);

      assertThat(h.extractOutputValues())
          .extracting(UserLoadRequest::requestId)
          .containsExactly("a", "b");
    }
  }
}
