package io.consumergraph.sqs.source.enumerator;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.sqs.source.config.SqsQueueSpec;
import io.consumergraph.sqs.source.split.SqsQueueSplit;
import java.util.List;
import org.apache.flink.connector.testutils.source.reader.TestingSplitEnumeratorContext;
import org.junit.jupiter.api.Test;

class SqsSourceEnumeratorTest {

  private static final List<SqsQueueSpec> QUEUES =
      List.of(new SqsQueueSpec("http://sqs/enroll", 10), new SqsQueueSpec("http://sqs/bulk", 0));

  private static List<SqsQueueSplit> assigned(
      TestingSplitEnumeratorContext<SqsQueueSplit> context, int subtask) {
    var state = context.getSplitAssignments().get(subtask);
    return state == null ? List.of() : state.getAssignedSplits();
  }

  @Test
  void everyReaderGetsOneSplitPerQueue() {
    var context = new TestingSplitEnumeratorContext<SqsQueueSplit>(2);
    var enumerator = new SqsSourceEnumerator(context, QUEUES, null);
    enumerator.start();
    for (int subtask = 0; subtask < 2; subtask++) {
      context.registerReader(subtask, "localhost");
      enumerator.addReader(subtask);
    }
    assertThat(assigned(context, 0))
        .extracting(SqsQueueSplit::queueUrl, SqsQueueSplit::ownerSubtask)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("http://sqs/enroll", 0),
            org.assertj.core.groups.Tuple.tuple("http://sqs/bulk", 0));
    assertThat(assigned(context, 1)).extracting(SqsQueueSplit::ownerSubtask).containsOnly(1);
    assertThat(enumerator.snapshotState(1).assignedSplitIds()).hasSize(4);
  }

  @Test
  void aReRegisteringReaderDoesNotGetItsSplitsTwice() {
    var context = new TestingSplitEnumeratorContext<SqsQueueSplit>(1);
    var enumerator = new SqsSourceEnumerator(context, QUEUES, null);
    context.registerReader(0, "localhost");
    enumerator.addReader(0);
    enumerator.addReader(0);
    assertThat(assigned(context, 0)).hasSize(2);
  }

  @Test
  void splitsReturnedByAFailedReaderAreAssignedAgainWhenItComesBack() {
    var context = new TestingSplitEnumeratorContext<SqsQueueSplit>(2);
    var enumerator = new SqsSourceEnumerator(context, QUEUES, null);
    context.registerReader(1, "localhost");
    enumerator.addReader(1);
    List<SqsQueueSplit> first = List.copyOf(assigned(context, 1));

    enumerator.addSplitsBack(first, 1); // failover of subtask 1, it re-registers right away
    assertThat(assigned(context, 1)).hasSize(4);
    assertThat(assigned(context, 1).subList(2, 4))
        .extracting(SqsQueueSplit::splitId)
        .containsExactlyInAnyOrderElementsOf(first.stream().map(SqsQueueSplit::splitId).toList());
  }

  @Test
  void aRestoredEnumeratorOnlyAssignsWhatItHadNotAssigned() {
    var context = new TestingSplitEnumeratorContext<SqsQueueSplit>(3);
    var state =
        new SqsEnumeratorState(
            java.util.Set.of(
                SqsQueueSplit.splitId("http://sqs/enroll", 0),
                SqsQueueSplit.splitId("http://sqs/bulk", 0)));
    var enumerator = new SqsSourceEnumerator(context, QUEUES, state);
    context.registerReader(0, "localhost");
    context.registerReader(2, "localhost");
    enumerator.addReader(0); // its splits come back from its own reader state
    enumerator.addReader(2); // scale-up: a new subtask gets new splits
    assertThat(assigned(context, 0)).isEmpty();
    assertThat(assigned(context, 2)).hasSize(2);
  }
}
