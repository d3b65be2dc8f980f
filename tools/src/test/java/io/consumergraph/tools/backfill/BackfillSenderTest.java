package io.consumergraph.tools.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.tools.backfill.BackfillSender.Ending;
import io.consumergraph.tools.backfill.BackfillSender.Outcome;
import io.consumergraph.tools.backfill.BackfillSender.RetryPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BackfillSenderTest {

  /** A queue that records what it accepted and fails as the test scripts it. */
  static final class ScriptedQueue implements QueueSender {
    final List<String> accepted = new ArrayList<>();
    final List<Function<List<Entry>, Map<String, EntryFailure>>> script = new ArrayList<>();
    int calls;

    @Override
    public Map<String, EntryFailure> send(List<Entry> batch) throws QueueException {
      Map<String, EntryFailure> failed =
          calls < script.size() ? script.get(calls).apply(batch) : Map.of();
      calls++;
      if (failed == null) {
        throw new QueueException("connection refused", true, null);
      }
      for (Entry e : batch) {
        if (!failed.containsKey(e.entryId())) {
          accepted.add(e.body());
        }
      }
      return failed;
    }

    @Override
    public void close() {}
  }

  private static final RetryPolicy FAST = new RetryPolicy(3, 1, 1);
  private final List<String> ids = IntStream.range(0, 25).mapToObj(i -> "u" + i).toList();

  private BackfillSender sender(QueueSender queue) {
    return new BackfillSender(
        queue, new Pacer(1_000_000, new PacerTest.FakeTicker()), 10, FAST, id -> id);
  }

  @Test
  void sendsEveryIdOnceInBatches() {
    ScriptedQueue queue = new ScriptedQueue();
    List<SendPosition> seen = new ArrayList<>();
    Outcome outcome =
        sender(queue).run(ids, SendPosition.START, (p, n) -> seen.add(p), () -> false);
    assertThat(outcome.ending()).isEqualTo(Ending.COMPLETED);
    assertThat(queue.accepted).isEqualTo(ids);
    assertThat(queue.calls).isEqualTo(3);
    assertThat(seen).extracting(SendPosition::next).containsExactly(10, 20, 25);
  }

  @Test
  void retriesOnlyTheFailedEntriesOfABatch() {
    ScriptedQueue queue = new ScriptedQueue();
    queue.script.add(
        batch -> Map.of("3", new QueueSender.EntryFailure("InternalError", "boom", true)));
    queue.script.add(batch -> null); // the whole retry call fails once
    Outcome outcome = sender(queue).run(ids, SendPosition.START, (p, n) -> {}, () -> false);
    assertThat(outcome.ending()).isEqualTo(Ending.COMPLETED);
    assertThat(queue.accepted).hasSize(25).doesNotHaveDuplicates().containsAll(ids);
    assertThat(outcome.sentThisRun()).isEqualTo(25);
  }

  @Test
  void aFinalFailureKeepsThePartOfTheBatchThatWasSent() {
    ScriptedQueue queue = new ScriptedQueue();
    queue.script.add(batch -> Map.of());
    Map<String, QueueSender.EntryFailure> bad = new HashMap<>();
    bad.put("13", new QueueSender.EntryFailure("InvalidMessageContents", "no", false));
    queue.script.add(batch -> bad);
    Outcome outcome = sender(queue).run(ids, SendPosition.START, (p, n) -> {}, () -> false);
    assertThat(outcome.ending()).isEqualTo(Ending.FAILED);
    assertThat(outcome.error()).contains("u13").contains("InvalidMessageContents");
    assertThat(outcome.position().next()).isEqualTo(13);
    assertThat(outcome.position().sentBeyond()).containsExactly(14, 15, 16, 17, 18, 19);

    // continuing from that position sends exactly the rest
    ScriptedQueue again = new ScriptedQueue();
    Outcome rest = sender(again).run(ids, outcome.position(), (p, n) -> {}, () -> false);
    assertThat(rest.ending()).isEqualTo(Ending.COMPLETED);
    List<String> all = new ArrayList<>(queue.accepted);
    all.addAll(again.accepted);
    assertThat(all).hasSize(25).doesNotHaveDuplicates().containsAll(ids);
    assertThat(again.accepted).startsWith("u13").contains("u20");
  }

  @Test
  void givesUpAfterTheLastAttempt() {
    ScriptedQueue queue = new ScriptedQueue();
    queue.script.add(batch -> Map.of());
    for (int i = 0; i < 3; i++) {
      queue.script.add(batch -> null);
    }
    Outcome outcome = sender(queue).run(ids, SendPosition.START, (p, n) -> {}, () -> false);
    assertThat(outcome.ending()).isEqualTo(Ending.FAILED);
    assertThat(outcome.error()).contains("after 3 attempts");
    assertThat(outcome.position()).isEqualTo(new SendPosition(10, List.of()));
    assertThat(queue.calls).isEqualTo(4);
  }

  @Test
  void stopsBetweenBatchesWhenAsked() {
    ScriptedQueue queue = new ScriptedQueue();
    int[] batches = {0};
    Outcome outcome =
        sender(queue).run(ids, SendPosition.START, (p, n) -> batches[0]++, () -> batches[0] == 2);
    assertThat(outcome.ending()).isEqualTo(Ending.STOPPED);
    assertThat(outcome.position().next()).isEqualTo(20);
    assertThat(queue.accepted).hasSize(20);
  }
}
