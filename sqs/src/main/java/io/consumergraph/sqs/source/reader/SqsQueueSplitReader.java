package io.consumergraph.sqs.source.reader;

import io.consumergraph.sqs.proxy.ReceivedSqsMessage;
import io.consumergraph.sqs.proxy.SqsExceptionClassifier;
import io.consumergraph.sqs.proxy.SqsProxy;
import io.consumergraph.sqs.source.metrics.SqsSourceMetrics;
import io.consumergraph.sqs.source.split.SqsQueueSplit;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.connector.base.source.reader.RecordsBySplits;
import org.apache.flink.connector.base.source.reader.RecordsWithSplitIds;
import org.apache.flink.connector.base.source.reader.splitreader.SplitReader;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsAddition;
import org.apache.flink.connector.base.source.reader.splitreader.SplitsChange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls the reader's queues in priority order on the fetcher thread.
 *
 * <p>Each fetch asks the queues from the highest priority down with a short poll and returns the
 * first non-empty answer, so a message on the enrollment queue is taken before the next batch of
 * the bulk queue, however long the bulk backlog is. Queues of equal priority take turns. Only when
 * every queue came back empty does it long-poll the top queue, to stay cheap while idle: for the
 * full wait time when it has one queue, and for the shorter {@code severalQueuesWaitTimeSeconds}
 * when it has several, so a message arriving on a lower queue of an idle reader is not left waiting
 * behind a long poll of the top one. It stops polling while the reader holds {@code maxInFlight}
 * undeleted messages; the last {@code maxMessagesPerPoll} of those (at most half of them) are kept
 * for the top-priority queues, so a bulk backlog that fills the reader cannot hold an enrollment
 * back until the next checkpoint deletes.
 */
public final class SqsQueueSplitReader implements SplitReader<ReceivedSqsMessage, SqsQueueSplit> {

  private static final Logger LOG = LoggerFactory.getLogger(SqsQueueSplitReader.class);

  /** How long a fetch waits when there is nothing it may do (no split, reader full). */
  static final long PAUSE_MS = 50;

  private final SqsProxy proxy;
  private final InFlightMessages inFlight;
  private final SqsSourceMetrics metrics;
  private final Clock clock;
  private final int waitTimeSeconds;
  private final int severalQueuesWaitTimeSeconds;
  private final int maxMessagesPerPoll;
  private final int maxInFlight;

  /** In-flight capacity lower-priority queues leave free for the top-priority ones. */
  private final int reserved;

  private final int visibilityTimeoutSeconds;
  private final Backoff pollBackoff;

  /** Highest priority first; the order within equal priorities rotates per fetch. */
  private final List<SqsQueueSplit> splits = new ArrayList<>();

  private final Object wakeUpLock = new Object();
  private boolean wokenUp;
  private int rotation;
  private int consecutiveFailures;

  public SqsQueueSplitReader(
      SqsProxy proxy,
      InFlightMessages inFlight,
      SqsSourceMetrics metrics,
      Clock clock,
      int waitTimeSeconds,
      int severalQueuesWaitTimeSeconds,
      int maxMessagesPerPoll,
      int maxInFlight,
      int visibilityTimeoutSeconds,
      Backoff pollBackoff) {
    this.proxy = proxy;
    this.inFlight = inFlight;
    this.metrics = metrics;
    this.clock = clock;
    this.waitTimeSeconds = waitTimeSeconds;
    this.severalQueuesWaitTimeSeconds = severalQueuesWaitTimeSeconds;
    this.maxMessagesPerPoll = maxMessagesPerPoll;
    this.maxInFlight = maxInFlight;
    // One poll's worth, but never more than half: a small bound must not starve the bulk queue.
    this.reserved = Math.min(maxMessagesPerPoll, maxInFlight / 2);
    this.visibilityTimeoutSeconds = visibilityTimeoutSeconds;
    this.pollBackoff = pollBackoff;
  }

  @Override
  public RecordsWithSplitIds<ReceivedSqsMessage> fetch() throws IOException {
    if (splits.isEmpty()) {
      pause(PAUSE_MS);
      return empty();
    }
    int capacity = maxInFlight - inFlight.size();
    if (capacity <= 0) {
      // Back-pressure: wait until a completed checkpoint deletes messages.
      pause(PAUSE_MS);
      return empty();
    }
    int max = Math.min(maxMessagesPerPoll, capacity);
    List<SqsQueueSplit> order = pollingOrder();
    if (order.size() > 1) {
      int topPriority = order.get(0).priority();
      for (SqsQueueSplit split : order) {
        int room = split.priority() == topPriority ? max : Math.min(max, capacity - reserved);
        if (room <= 0) {
          continue; // what is left is kept for the top-priority queues
        }
        List<ReceivedSqsMessage> received = receive(split, room, 0);
        if (received == null) {
          return empty();
        }
        if (!received.isEmpty()) {
          return records(split, received);
        }
      }
    }
    // Nothing anywhere: long-poll the top queue so an idle reader costs one call per wait time.
    SqsQueueSplit top = order.get(0);
    int wait =
        order.size() > 1
            ? Math.min(waitTimeSeconds, severalQueuesWaitTimeSeconds)
            : waitTimeSeconds;
    List<ReceivedSqsMessage> received = receive(top, max, wait);
    if (received != null && received.isEmpty() && wait == 0) {
      pause(PAUSE_MS); // no long poll to wait in: do not spin on empty queues
    }
    return received == null || received.isEmpty() ? empty() : records(top, received);
  }

  /** The splits in the order this fetch asks them: priority descending, equal ones rotated. */
  List<SqsQueueSplit> pollingOrder() {
    List<SqsQueueSplit> order = new ArrayList<>(splits.size());
    int i = 0;
    int turn = rotation++;
    while (i < splits.size()) {
      int j = i;
      while (j < splits.size() && splits.get(j).priority() == splits.get(i).priority()) {
        j++;
      }
      int groupSize = j - i;
      for (int k = 0; k < groupSize; k++) {
        order.add(splits.get(i + Math.floorMod(turn + k, groupSize)));
      }
      i = j;
    }
    return order;
  }

  /** One ReceiveMessage; null after a transient failure (already backed off). */
  private List<ReceivedSqsMessage> receive(SqsQueueSplit split, int max, int waitSeconds)
      throws IOException {
    // The deadline counts from before the call: SQS starts the timer somewhere within it.
    long requestedAt = clock.millis();
    List<ReceivedSqsMessage> received;
    try {
      received = proxy.receive(split.queueUrl(), max, waitSeconds, visibilityTimeoutSeconds);
      consecutiveFailures = 0;
    } catch (RuntimeException e) {
      if (!SqsExceptionClassifier.isRetryable(e)) {
        throw new IOException("Receiving from " + split.queueUrl() + " failed", e);
      }
      consecutiveFailures++;
      long delay = pollBackoff.delayMs(consecutiveFailures);
      LOG.warn(
          "Receiving from {} failed ({} in a row), retrying in {} ms",
          split.queueUrl(),
          consecutiveFailures,
          delay,
          e);
      pause(delay);
      return null;
    }
    long visibleUntil = requestedAt + visibilityTimeoutSeconds * 1000L;
    for (ReceivedSqsMessage m : received) {
      inFlight.received(split.splitId(), split.queueUrl(), m.receiptHandle(), visibleUntil);
      metrics.onReceived(m.message());
    }
    return received;
  }

  private static RecordsWithSplitIds<ReceivedSqsMessage> records(
      SqsQueueSplit split, List<ReceivedSqsMessage> received) {
    RecordsBySplits.Builder<ReceivedSqsMessage> builder = new RecordsBySplits.Builder<>();
    builder.addAll(split.splitId(), received);
    return builder.build();
  }

  private static RecordsWithSplitIds<ReceivedSqsMessage> empty() {
    return new RecordsBySplits.Builder<ReceivedSqsMessage>().build();
  }

  private void pause(long millis) {
    synchronized (wakeUpLock) {
      try {
        if (!wokenUp) {
          wakeUpLock.wait(millis);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        wokenUp = false;
      }
    }
  }

  @Override
  public void handleSplitsChanges(SplitsChange<SqsQueueSplit> splitsChanges) {
    if (!(splitsChanges instanceof SplitsAddition)) {
      throw new UnsupportedOperationException(
          "unsupported split change " + splitsChanges.getClass().getSimpleName());
    }
    splits.addAll(splitsChanges.splits());
    // Stable sort: equal priorities keep their arrival order, which the rotation then cycles.
    splits.sort(Comparator.comparingInt(SqsQueueSplit::priority).reversed());
    LOG.info("Polling {} SQS queue split(s): {}", splits.size(), splits);
  }

  @Override
  public void wakeUp() {
    synchronized (wakeUpLock) {
      wokenUp = true;
      wakeUpLock.notifyAll();
    }
  }

  @Override
  public void close() {
    // The proxy belongs to the reader, which also uses it to acknowledge.
  }
}
