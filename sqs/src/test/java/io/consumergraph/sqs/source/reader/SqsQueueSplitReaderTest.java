package io.consumergraph.sqs.source.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.sqs.proxy.ReceivedSqsMessage;
import io.consumergraph.sqs.source.metrics.SqsSourceMetrics;
import io.consumergraph.sqs.source.split.SqsQueueSplit;
import io.consumergraph.sqs.source.testing.FakeSqsProxy;
import io.consumergraph.sqs.source.testing.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;

class SqsQueueSplitReaderTest {

  private static final String ENROLL = "http://sqs/enrollment";
  private static final String BULK = "http://sqs/bulk";

  private final FakeSqsProxy proxy = new FakeSqsProxy();
  private final InFlightMessages inFlight = new InFlightMessages();
  private final ManualClock clock = new ManualClock(0);
  private final SqsSourceMetrics metrics =
      new SqsSourceMetrics(new UnregisteredMetricsGroup(), inFlight::size, clock);

  private SqsQueueSplitReader reader(int maxInFlight, SqsQueueSplit... splits) {
    SqsQueueSplitReader reader =
        new SqsQueueSplitReader(
            proxy,
            inFlight,
            metrics,
            clock,
            20,
            2,
            10,
            maxInFlight,
            600,
            new Backoff(Duration.ofMillis(1), Duration.ofMillis(2), 3));
    reader.handleSplitsChanges(new SplitsAddition<>(List.of(splits)));
    return reader;
  }

  private static List<ReceivedSqsMessage> drain(RecordsWithSplitIds<ReceivedSqsMessage> records) {
    List<ReceivedSqsMessage> out = new ArrayList<>();
    while (records.nextSplit() != null) {
      ReceivedSqsMessage m;
      while ((m = records.nextRecordFromSplit()) != null) {
        out.add(m);
      }
    }
    return out;
  }

  /** A reader of the bulk queue and, at a higher priority, the enrollment queue. */
  private SqsQueueSplitReader bulkAndEnrollmentReader() {
    return reader(1000, SqsQueueSplit.of(BULK, 0, 0), SqsQueueSplit.of(ENROLL, 10, 0));
  }

  /** Puts {@code n} messages "bulk-0" … on the bulk queue. */
  private void sendBulk(int n) {
    for (int i = 0; i < n; i++) {
      proxy.send(BULK, "bulk-" + i);
    }
  }

  /** The queue of every receive call so far, in order. */
  private List<String> askedQueues() {
    return proxy.calls("receive").stream().map(FakeSqsProxy.Call::queueUrl).toList();
  }

  /** What {@code n} fetches in a row return, one after the other. */
  private static List<ReceivedSqsMessage> fetches(SqsQueueSplitReader reader, int n)
      throws IOException {
    List<ReceivedSqsMessage> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.addAll(drain(reader.fetch()));
    }
    return out;
  }

  private static String[] bulk(int from, int to) {
    return java.util.stream.IntStream.range(from, to)
        .mapToObj(i -> "bulk-" + i)
        .toArray(String[]::new);
  }

  private static List<String> bodies(List<ReceivedSqsMessage> messages) {
    return messages.stream().map(m -> m.message().body()).toList();
  }

  @Test
  void enrollmentIsTakenBeforeTheNextBulkBatchWhateverTheBacklog() throws IOException {
    SqsQueueSplitReader reader = bulkAndEnrollmentReader();
    sendBulk(100);

    assertThat(bodies(drain(reader.fetch()))).containsExactly("bulk-0");
    assertThat(reader.held()).isEqualTo(9);
    proxy.send(ENROLL, "enroll-1");
    clock.advance(SqsQueueSplitReader.TOP_POLL_INTERVAL_MS);
    assertThat(bodies(drain(reader.fetch())))
        .as("taken ahead of the nine bulk requests the reader holds")
        .containsExactly("enroll-1");
    assertThat(bodies(fetches(reader, 9))).containsExactly(bulk(1, 10));
    assertThat(bodies(drain(reader.fetch()))).containsExactly("bulk-10");

    // A fetch that polls asks the enrollment queue first.
    assertThat(askedQueues()).containsExactly(ENROLL, BULK, ENROLL, ENROLL, BULK);
    assertThat(proxy.pending(BULK)).isEqualTo(80);
  }

  @Test
  void whileItHoldsBulkRequestsTheEnrollmentQueueIsAskedAtMostEveryInterval() throws IOException {
    SqsQueueSplitReader reader = bulkAndEnrollmentReader();
    sendBulk(10);
    List<ReceivedSqsMessage> handed = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      handed.addAll(drain(reader.fetch()));
      clock.advance(SqsQueueSplitReader.TOP_POLL_INTERVAL_MS / 2);
    }
    assertThat(bodies(handed)).containsExactly(bulk(0, 10));
    // Ten fetches over 500 ms: the first asked both queues, then every second one the top queue.
    assertThat(askedQueues()).containsExactly(ENROLL, BULK, ENROLL, ENROLL, ENROLL, ENROLL);
  }

  @Test
  void heldBulkRequestsAreNotCoveredByACheckpointUntilHandedOver() throws IOException {
    SqsQueueSplitReader reader = bulkAndEnrollmentReader();
    sendBulk(10);
    List<ReceivedSqsMessage> handed = fetches(reader, 3);
    handed.forEach(m -> inFlight.emitted(m.receiptHandle()));
    inFlight.checkpoint(1);

    assertThat(inFlight.takeCompleted(1).get(BULK))
        .containsExactlyElementsOf(handed.stream().map(ReceivedSqsMessage::receiptHandle).toList());
    assertThat(reader.held()).isEqualTo(7);
    assertThat(inFlight.takeUncovered().get(BULK))
        .as("held ones are given back on close like anything not emitted")
        .hasSize(7);
  }

  @Test
  void aReaderWithOneQueueHandsOverWholePolls() throws IOException {
    SqsQueueSplitReader reader = reader(1000, SqsQueueSplit.of(BULK, 0, 0));
    sendBulk(10);
    assertThat(bodies(drain(reader.fetch()))).containsExactly(bulk(0, 10));
    assertThat(reader.held()).isZero();
  }

  @Test
  void bulkWaitsUntilTheEnrollmentQueueIsEmpty() throws IOException {
    SqsQueueSplitReader reader =
        reader(1000, SqsQueueSplit.of(BULK, 0, 0), SqsQueueSplit.of(ENROLL, 10, 0));
    for (int i = 0; i < 15; i++) {
      proxy.send(ENROLL, "enroll-" + i);
      proxy.send(BULK, "bulk-" + i);
    }
    assertThat(drain(reader.fetch())).hasSize(10);
    assertThat(bodies(drain(reader.fetch()))).hasSize(5).allMatch(b -> b.startsWith("enroll-"));
    assertThat(bodies(drain(reader.fetch()))).containsExactly("bulk-0");
    assertThat(reader.held()).isEqualTo(9);
  }

  @Test
  void aReaderWithOneQueueLongPollsItForTheFullWaitTime() throws IOException {
    SqsQueueSplitReader reader = reader(1000, SqsQueueSplit.of(BULK, 0, 0));
    assertThat(drain(reader.fetch())).isEmpty();
    assertThat(proxy.calls("receive"))
        .extracting(FakeSqsProxy.Call::queueUrl, FakeSqsProxy.Call::waitSeconds)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(BULK, 20));
  }

  @Test
  void anIdleReaderWithSeveralQueuesAsksTheLowerOnesAgainAfterTheShortWait() throws IOException {
    SqsQueueSplitReader reader =
        reader(1000, SqsQueueSplit.of(BULK, 0, 0), SqsQueueSplit.of(ENROLL, 10, 0));
    assertThat(drain(reader.fetch())).isEmpty();
    proxy.send(BULK, "bulk-while-idle");
    // The next fetch reaches the bulk queue after one short long-poll of the top queue, not 20 s.
    assertThat(bodies(drain(reader.fetch()))).containsExactly("bulk-while-idle");
    assertThat(proxy.calls("receive"))
        .extracting(FakeSqsProxy.Call::queueUrl, FakeSqsProxy.Call::waitSeconds)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ENROLL, 0),
            org.assertj.core.groups.Tuple.tuple(BULK, 0),
            org.assertj.core.groups.Tuple.tuple(ENROLL, 2),
            org.assertj.core.groups.Tuple.tuple(ENROLL, 0),
            org.assertj.core.groups.Tuple.tuple(BULK, 0));
  }

  @Test
  void longPollsTheTopQueueOnlyWhenEveryQueueIsEmpty() throws IOException {
    SqsQueueSplitReader reader =
        reader(1000, SqsQueueSplit.of(BULK, 0, 0), SqsQueueSplit.of(ENROLL, 10, 0));
    assertThat(drain(reader.fetch())).isEmpty();
    assertThat(proxy.calls("receive"))
        .extracting(FakeSqsProxy.Call::queueUrl, FakeSqsProxy.Call::waitSeconds)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ENROLL, 0),
            org.assertj.core.groups.Tuple.tuple(BULK, 0),
            org.assertj.core.groups.Tuple.tuple(ENROLL, 2));
    assertThat(proxy.calls("receive")).allMatch(c -> c.visibility() == 600);
  }

  @Test
  void queuesOfEqualPriorityTakeTurns() throws IOException {
    String a = "http://sqs/a";
    String b = "http://sqs/b";
    SqsQueueSplitReader reader = reader(1000, SqsQueueSplit.of(a, 0, 0), SqsQueueSplit.of(b, 0, 0));
    for (int i = 0; i < 30; i++) {
      proxy.send(a, "a");
      proxy.send(b, "b");
    }
    List<String> firstOfEachFetch = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      firstOfEachFetch.add(bodies(drain(reader.fetch())).get(0));
    }
    assertThat(firstOfEachFetch).containsExactly("a", "b", "a", "b");
  }

  @Test
  void aBulkBacklogLeavesOnePollOfCapacityForEnrollments() throws IOException {
    SqsQueueSplitReader reader =
        reader(25, SqsQueueSplit.of(BULK, 0, 0), SqsQueueSplit.of(ENROLL, 10, 0));
    sendBulk(100);
    assertThat(fetches(reader, 10)).hasSize(10);
    assertThat(fetches(reader, 5)).as("bulk stops 10 short of the bound").hasSize(5);
    assertThat(drain(reader.fetch())).isEmpty();
    assertThat(inFlight.size()).isEqualTo(15);

    for (int i = 0; i < 12; i++) {
      proxy.send(ENROLL, "enroll-" + i);
    }
    assertThat(bodies(drain(reader.fetch())))
        .as("enrollments still get in, up to the bound itself")
        .hasSize(10)
        .allMatch(b -> b.startsWith("enroll-"));
    assertThat(inFlight.size()).isEqualTo(25);
    assertThat(proxy.pending(BULK)).isEqualTo(85);
  }

  @Test
  void aSmallBoundKeepsAtMostHalfOfItForEnrollments() throws IOException {
    SqsQueueSplitReader reader =
        reader(10, SqsQueueSplit.of(BULK, 0, 0), SqsQueueSplit.of(ENROLL, 10, 0));
    sendBulk(100);
    assertThat(fetches(reader, 5)).as("half of 10 for the bulk queue, not 1").hasSize(5);
    assertThat(drain(reader.fetch())).isEmpty();
  }

  @Test
  void stopsPollingAtMaxInFlightUntilACheckpointDeletes() throws IOException {
    SqsQueueSplitReader reader = reader(15, SqsQueueSplit.of(BULK, 0, 0));
    for (int i = 0; i < 40; i++) {
      proxy.send(BULK, "bulk-" + i);
    }
    List<ReceivedSqsMessage> first = drain(reader.fetch());
    List<ReceivedSqsMessage> second = drain(reader.fetch());
    assertThat(first).hasSize(10);
    assertThat(second).hasSize(5); // only the remaining capacity is asked for
    int callsBefore = proxy.calls("receive").size();
    assertThat(drain(reader.fetch())).isEmpty();
    assertThat(proxy.calls("receive")).hasSize(callsBefore); // full: SQS is not even asked
    assertThat(inFlight.size()).isEqualTo(15);

    // Emit and checkpoint the first batch; completing the checkpoint frees its capacity.
    first.forEach(m -> inFlight.emitted(m.receiptHandle()));
    inFlight.checkpoint(1);
    assertThat(inFlight.takeCompleted(1).get(BULK)).hasSize(10);
    assertThat(drain(reader.fetch())).hasSize(10);
  }

  @Test
  void transientReceiveFailureIsRetriedAndAMissingQueueIsFatal() throws IOException {
    SqsQueueSplitReader reader = reader(100, SqsQueueSplit.of(BULK, 0, 0));
    proxy.send(BULK, "x");
    proxy.failReceives = 2;
    assertThat(drain(reader.fetch())).isEmpty();
    assertThat(drain(reader.fetch())).isEmpty();
    assertThat(bodies(drain(reader.fetch()))).containsExactly("x");

    proxy.failure = QueueDoesNotExistException.builder().message("gone").build();
    proxy.failReceives = 1;
    assertThatThrownBy(reader::fetch).isInstanceOf(IOException.class).hasMessageContaining(BULK);
  }

  @Test
  void countsRedeliveriesAndTracksQueueAge() throws IOException {
    SqsQueueSplitReader reader = reader(100, SqsQueueSplit.of(BULK, 0, 0));
    proxy.send(BULK, "first");
    proxy.send(BULK, "again", 3);
    clock.advance(6_000);
    drain(reader.fetch());
    assertThat(metrics.received()).isEqualTo(2);
    assertThat(metrics.redelivered()).isEqualTo(1);
    assertThat(metrics.queueAgeMs()).isEqualTo(5_000); // sent at 1000, now 6000
  }
}
