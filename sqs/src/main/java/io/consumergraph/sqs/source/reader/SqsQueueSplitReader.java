package io.consumergraph.sqs.source.reader;

import io.consumergraph.sqs.proxy.ReceivedSqsMessage;
import io.consumergraph.sqs.proxy.SqsExceptionClassifier;
import io.consumergraph.sqs.proxy.SqsProxy;
import io.consumergraph.sqs.source.metrics.SqsSourceMetrics;
import io.consumergraph.sqs.source.split.SqsQueueSplit;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayDeque;
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
 * the bulk queue, however long the bulk backlog is. Queues of equal priority take turns.
 *
 * <p>With several queues, what a lower-priority poll returned is handed over one message per fetch
 * and the rest held here (received, not emitted: no checkpoint covers them, and they are released
 * on close like anything not emitted). The reader's task takes one fetch at a time and Flink keeps
 * one more waiting beside the fetcher's own, so under back-pressure a whole poll of bulk requests
 * in each of those places sat ahead of an enrollment: 20-30 requests, a second or more at a
 * backfill's pace. While it holds bulk messages, a fetch asks the top-priority queues again at most
 * every {@link #TOP_POLL_INTERVAL_MS} and otherwise hands over the next held one, so at most a few
 * bulk requests are ahead of an enrollment and an idle enrollment queue costs at most ten short
 * polls a second while a backlog drains. Only when every queue came back empty does it long-poll
 * the top queue, to stay cheap while idle: for the full wait time when it has one queue, and for
 * the shorter {@code severalQueuesWaitTimeSeconds} when it has several, so a message arriving on a
 * lower queue of an idle reader is not left waiting behind a long poll of the top one. It stops
 * polling while the reader holds {@code maxInFlight} undeleted messages; the last {@code
 * maxMessagesPerPoll} of those (at most half of them) are kept for the top-priority queues, so a
 * bulk backlog that fills the reader cannot hold an enrollment back until the next checkpoint
 * deletes.
 */
public final class SqsQueueSplitReader implements SplitReader<ReceivedSqsMessage, SqsQueueSplit> {

  private static final Logger LOG = LoggerFactory.getLogger(SqsQueueSplitReader.class);

  /** How long a fetch waits when there is nothing it may do (no split, reader full). */
  static final long PAUSE_MS = 50;

  /** While bulk messages are held, the top-priority queues are asked at most this often. */
  static final long TOP_POLL_INTERVAL_MS = 100;

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

  /** Received from a lower-priority queue, not yet handed over; only with several queues. */
  private final ArrayDeque<ReceivedSqsMessage> held = new ArrayDeque<>();

  private SqsQueueSplit heldSplit;
  private long topPolledAtMs = Long.MIN_VALUE;

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
    if (!held.isEmpty()) {
      return handOverHeldOrTop();
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
        if (split.priority() == topPriority) {
          topPolledAtMs = clock.millis();
        }
        if (received == null) {
          return empty();
        }
        if (!received.isEmpty()) {
          return split.priority() == topPriority ? records(split, received) : hold(split, received);
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

  /**
   * Asks the top-priority queues when the last ask is {@link #TOP_POLL_INTERVAL_MS} old and returns
   * what they had; otherwise (or when they had nothing) hands over the next held message.
   */
  private RecordsWithSplitIds<ReceivedSqsMessage> handOverHeldOrTop() throws IOException {
    int capacity = maxInFlight - inFlight.size();
    if (capacity > 0 && clock.millis() >= topPolledAtMs + TOP_POLL_INTERVAL_MS) {
      List<SqsQueueSplit> order = pollingOrder();
      int topPriority = order.get(0).priority();
      topPolledAtMs = clock.millis();
      for (SqsQueueSplit split : order) {
        if (split.priority() != topPriority) {
          break;
        }
        List<ReceivedSqsMessage> received =
            receive(split, Math.min(maxMessagesPerPoll, capacity), 0);
        if (received != null && !received.isEmpty()) {
          return records(split, received);
        }
      }
    }
    return records(heldSplit, List.of(held.poll()));
  }

  /** Hands over the first of a lower-priority poll's messages and holds the rest. */
  private RecordsWithSplitIds<ReceivedSqsMessage> hold(
      SqsQueueSplit split, List<ReceivedSqsMessage> received) {
    held.addAll(received.subList(1, received.size()));
    heldSplit = split;
    return records(split, received.subList(0, 1));
  }

  /** Messages received from a lower-priority queue and not yet handed over. */
  int held() {
    return held.size();
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
