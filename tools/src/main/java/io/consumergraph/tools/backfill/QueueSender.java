package io.consumergraph.tools.backfill;

import java.util.List;
import java.util.Map;

/** The queue a backfill sends to: the only part that talks to SQS, so the rest is testable. */
public interface QueueSender extends AutoCloseable {

  /** One message of a batch; {@code entryId} is unique within the batch. */
  record Entry(String entryId, String body) {}

  /** Why an entry of a batch was not sent. */
  record EntryFailure(String code, String message, boolean retryable) {}

  /** The most entries one {@link #send} takes. */
  int MAX_BATCH = 10;

  /**
   * Sends a batch and returns the entries that failed, keyed by entry id (empty: all sent).
   *
   * @throws QueueException when the call as a whole failed (no entry is known to be sent)
   */
  Map<String, EntryFailure> send(List<Entry> batch) throws QueueException;

  @Override
  void close();

  /** A call that failed as a whole; {@code retryable} when trying again may succeed. */
  final class QueueException extends Exception {
    private final boolean retryable;

    public QueueException(String message, boolean retryable, Throwable cause) {
      super(message, cause);
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }
}
