package io.consumergraph.sqs.source.metrics;

import io.consumergraph.sqs.source.serialization.SqsMessage;
import java.time.Clock;
import java.util.function.IntSupplier;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.ThreadSafeSimpleCounter;

/**
 * The reader's SQS metrics, registered on the reader metric group so they show in the web UI.
 *
 * <p>Counters are updated from the fetcher, the mailbox and the acknowledger thread, hence the
 * thread-safe counters.
 */
public final class SqsSourceMetrics {

  public static final String MESSAGES_RECEIVED = "sqsMessagesReceived";
  public static final String MESSAGES_DELETED = "sqsMessagesDeleted";
  public static final String MESSAGES_REDELIVERED = "sqsMessagesRedelivered";
  public static final String VISIBILITY_EXTENDED = "sqsVisibilityExtended";
  public static final String DELETE_FAILURES = "sqsDeleteFailures";
  public static final String MESSAGES_IN_FLIGHT = "sqsMessagesInFlight";
  public static final String QUEUE_AGE_MS = "sqsQueueAgeMs";

  private final Counter received;
  private final Counter deleted;
  private final Counter redelivered;
  private final Counter visibilityExtended;
  private final Counter deleteFailures;
  private final Clock clock;
  private volatile long newestSentTimestamp = -1;

  public SqsSourceMetrics(MetricGroup group, IntSupplier inFlight, Clock clock) {
    this.clock = clock;
    this.received = group.counter(MESSAGES_RECEIVED, new ThreadSafeSimpleCounter());
    this.deleted = group.counter(MESSAGES_DELETED, new ThreadSafeSimpleCounter());
    this.redelivered = group.counter(MESSAGES_REDELIVERED, new ThreadSafeSimpleCounter());
    this.visibilityExtended = group.counter(VISIBILITY_EXTENDED, new ThreadSafeSimpleCounter());
    this.deleteFailures = group.counter(DELETE_FAILURES, new ThreadSafeSimpleCounter());
    group.gauge(MESSAGES_IN_FLIGHT, inFlight::getAsInt);
    group.gauge(QUEUE_AGE_MS, this::queueAgeMs);
  }

  public void onReceived(SqsMessage message) {
    received.inc();
    if (message.receiveCount() > 1) {
      redelivered.inc();
    }
    long sent = message.sentTimestamp();
    if (sent > 0) {
      newestSentTimestamp = sent;
    }
  }

  public void onDeleted(int count) {
    deleted.inc(count);
  }

  public void onDeleteFailed(int count) {
    deleteFailures.inc(count);
  }

  public void onVisibilityExtended(int count) {
    visibilityExtended.inc(count);
  }

  /** Now minus SentTimestamp of the newest received message: how far behind the reader is. */
  public long queueAgeMs() {
    long sent = newestSentTimestamp;
    return sent < 0 ? 0 : Math.max(0, clock.millis() - sent);
  }

  public long received() {
    return received.getCount();
  }

  public long deleted() {
    return deleted.getCount();
  }

  public long redelivered() {
    return redelivered.getCount();
  }

  public long visibilityExtended() {
    return visibilityExtended.getCount();
  }

  public long deleteFailures() {
    return deleteFailures.getCount();
  }
}
