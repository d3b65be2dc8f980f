package io.consumergraph.sqs.source.reader;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.sqs.source.config.SqsSourceOptions;
import io.consumergraph.sqs.source.serialization.SqsMessage;
import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import io.consumergraph.sqs.source.split.SqsQueueSplit;
import io.consumergraph.sqs.source.testing.FakeSqsProxy;
import io.consumergraph.sqs.source.testing.ManualClock;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.testutils.source.reader.TestingReaderContext;
import org.apache.flink.connector.testutils.source.reader.TestingReaderOutput;
import org.apache.flink.core.testutils.ManuallyTriggeredScheduledExecutorService;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SqsSourceReaderTest {

  private static final String Q = "http://sqs/q";

  private final FakeSqsProxy proxy = new FakeSqsProxy();
  private final ManualClock clock = new ManualClock(0);
  private final ManuallyTriggeredScheduledExecutorService acknowledger =
      new ManuallyTriggeredScheduledExecutorService();
  private final TestingReaderOutput<String> output = new TestingReaderOutput<>();
  private SqsSourceReader<String> reader;

  @BeforeEach
  void startReader() {
    reader = newReader(SqsMessageDeserializer.bodyAsString());
    reader.start();
    reader.addSplits(List.of(SqsQueueSplit.of(Q, 0, 0)));
  }

  private SqsSourceReader<String> newReader(SqsMessageDeserializer<String> deserializer) {
    Configuration config = new Configuration();
    config.set(SqsSourceOptions.WAIT_TIME_SECONDS, 1);
    config.set(SqsSourceOptions.VISIBILITY_TIMEOUT, Duration.ofSeconds(10));
    return new SqsSourceReader<>(
        new TestingReaderContext(), config, deserializer, proxy, clock, ms -> {}, acknowledger);
  }

  @AfterEach
  void closeReader() throws Exception {
    reader.close();
  }

  /** Polls the reader until {@code total} records have been emitted in all. */
  private void pollUntil(SqsSourceReader<String> r, int total) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (output.getEmittedRecords().size() < total) {
      r.pollNext(output);
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("only " + output.getEmittedRecords() + " emitted");
      }
      Thread.sleep(1);
    }
  }

  @Test
  void deletesNothingBeforeTheCoveringCheckpointCompletes() throws Exception {
    String a = proxy.send(Q, "a");
    String b = proxy.send(Q, "b");
    pollUntil(reader, 2);
    acknowledger.triggerAll();
    assertThat(proxy.deleted).isEmpty(); // emitted is not enough

    reader.snapshotState(1);
    acknowledger.triggerAll();
    assertThat(proxy.deleted).isEmpty(); // a snapshot is not enough either

    reader.notifyCheckpointComplete(1);
    acknowledger.triggerAll();
    assertThat(proxy.deleted).containsExactlyInAnyOrder(a, b);
    assertThat(reader.metrics().deleted()).isEqualTo(2);
  }

  @Test
  void messagesEmittedAfterASnapshotWaitForTheNextCheckpoint() throws Exception {
    String a = proxy.send(Q, "a");
    pollUntil(reader, 1);
    reader.snapshotState(1);
    String b = proxy.send(Q, "b");
    pollUntil(reader, 2);

    reader.notifyCheckpointComplete(1);
    acknowledger.triggerAll();
    assertThat(proxy.deleted).containsExactly(a);
    assertThat(reader.inFlightCount()).isEqualTo(1);

    reader.snapshotState(2);
    reader.notifyCheckpointComplete(2);
    acknowledger.triggerAll();
    assertThat(proxy.deleted).containsExactly(a, b);
    assertThat(reader.inFlightCount()).isZero();
  }

  @Test
  void completingACheckpointDeletesThoseOfEveryEarlierCheckpointToo() throws Exception {
    String a = proxy.send(Q, "a");
    pollUntil(reader, 1);
    reader.snapshotState(1);
    String b = proxy.send(Q, "b");
    pollUntil(reader, 2);
    reader.snapshotState(2);
    String c = proxy.send(Q, "c");
    pollUntil(reader, 3);
    reader.snapshotState(3);

    // The notification of 1 was lost; 2 completes and subsumes it. 3 is still pending.
    reader.notifyCheckpointComplete(2);
    acknowledger.triggerAll();
    assertThat(proxy.deleted).containsExactlyInAnyOrder(a, b);
    assertThat(proxy.deleted).doesNotContain(c);
  }

  @Test
  void snapshotCarriesUndeletedHandlesAndARestoredReaderDeletesThem() throws Exception {
    String a = proxy.send(Q, "a");
    pollUntil(reader, 1);
    List<SqsQueueSplit> state = reader.snapshotState(7);
    assertThat(state)
        .singleElement()
        .satisfies(s -> assertThat(s.pendingReceiptHandles()).containsExactly(a));

    // The job fails before notifyCheckpointComplete(7) and restores from checkpoint 7.
    SqsSourceReader<String> restored = newReader(SqsMessageDeserializer.bodyAsString());
    restored.start();
    restored.addSplits(state);
    acknowledger.triggerAll();
    assertThat(proxy.deleted).containsExactly(a);
    restored.close();
  }

  @Test
  void closeReleasesMessagesNoCheckpointCoversButKeepsCoveredOnes() throws Exception {
    String a = proxy.send(Q, "a");
    pollUntil(reader, 1);
    reader.snapshotState(1);
    String b = proxy.send(Q, "b");
    pollUntil(reader, 2);

    reader.close();
    acknowledger.triggerAll();
    List<FakeSqsProxy.Call> released = proxy.calls("visibility");
    assertThat(released)
        .singleElement()
        .satisfies(
            c -> {
              assertThat(c.handles()).containsExactly(b);
              assertThat(c.visibility()).isZero();
            });
    assertThat(proxy.deleted).isEmpty();
    assertThat(a).isNotEqualTo(b);
    reader = newReader(SqsMessageDeserializer.bodyAsString()); // for @AfterEach
  }

  @Test
  void invalidBodiesAreTheDeserializersBusinessAndStillDeleted() throws Exception {
    reader.close();
    reader =
        newReader(
            new SqsMessageDeserializer<>() {
              @Override
              public void deserialize(SqsMessage message, Collector<String> out) {
                out.collect(
                    message.body().startsWith("{") ? message.body() : "DLQ:" + message.messageId());
              }

              @Override
              public TypeInformation<String> getProducedType() {
                return Types.STRING;
              }
            });
    reader.start();
    reader.addSplits(List.of(SqsQueueSplit.of(Q, 0, 0)));
    String bad = proxy.send(Q, "not json");
    pollUntil(reader, 1);
    assertThat(output.getEmittedRecords()).singleElement().asString().startsWith("DLQ:id-");
    reader.snapshotState(1);
    reader.notifyCheckpointComplete(1);
    acknowledger.triggerAll();
    assertThat(proxy.deleted).containsExactly(bad);
  }

  @Test
  void visibilityExtensionRunsOnTheAcknowledgerSchedule() throws Exception {
    proxy.send(Q, "slow");
    pollUntil(reader, 1);
    clock.advance(4_000);
    acknowledger.triggerPeriodicScheduledTasks();
    assertThat(proxy.calls("visibility")).isEmpty(); // 6 s of 10 s left
    clock.advance(1_000);
    acknowledger.triggerPeriodicScheduledTasks();
    assertThat(proxy.calls("visibility")).hasSize(1);
    assertThat(reader.metrics().visibilityExtended()).isEqualTo(1);
  }

  @Test
  void oneFetchedBatchWaitsForTheTaskUnlessTheSettingsSayOtherwise() {
    var queue =
        org.apache.flink.connector.base.source.reader.SourceReaderOptions.ELEMENT_QUEUE_CAPACITY;
    assertThat(SqsSourceReader.withElementQueue(new Configuration()).get(queue)).isEqualTo(1);
    Configuration given = new Configuration();
    given.set(queue, 3);
    assertThat(SqsSourceReader.withElementQueue(given).get(queue)).isEqualTo(3);
  }
}
