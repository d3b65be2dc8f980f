package io.consumergraph.sqs.source.reader;

import io.consumergraph.sqs.proxy.AwsSqsProxy;
import io.consumergraph.sqs.proxy.BatchEntryFailure;
import io.consumergraph.sqs.proxy.SqsExceptionClassifier;
import io.consumergraph.sqs.proxy.SqsProxy;
import io.consumergraph.sqs.source.metrics.SqsSourceMetrics;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes messages whose checkpoint completed and keeps in-flight messages invisible.
 *
 * <p>The calls are synchronous; the reader runs them on its own acknowledger thread so that neither
 * the mailbox thread nor the fetcher waits on SQS. A batch entry that keeps failing is logged and
 * counted, never fatal: an undeleted message comes back and is de-duplicated downstream by its
 * message id.
 */
public final class SqsMessageAcknowledger {

  private static final Logger LOG = LoggerFactory.getLogger(SqsMessageAcknowledger.class);

  private final SqsProxy proxy;
  private final InFlightMessages inFlight;
  private final SqsSourceMetrics metrics;
  private final Clock clock;
  private final int visibilityTimeoutSeconds;
  private final Backoff backoff;
  private final Backoff.Sleeper sleeper;

  public SqsMessageAcknowledger(
      SqsProxy proxy,
      InFlightMessages inFlight,
      SqsSourceMetrics metrics,
      Clock clock,
      int visibilityTimeoutSeconds,
      Backoff backoff,
      Backoff.Sleeper sleeper) {
    this.proxy = proxy;
    this.inFlight = inFlight;
    this.metrics = metrics;
    this.clock = clock;
    this.visibilityTimeoutSeconds = visibilityTimeoutSeconds;
    this.backoff = backoff;
    this.sleeper = sleeper;
  }

  /**
   * Deletes the given handles, at most 10 per call, retrying transient failures.
   *
   * @param countFailures false for handles restored from a checkpoint: those were often deleted
   *     already (by the notification of that very checkpoint), so a refusal is expected
   * @return the number of messages deleted
   */
  public int delete(Map<String, List<String>> handlesByQueue, boolean countFailures) {
    int deleted = 0;
    for (Map.Entry<String, List<String>> queue : handlesByQueue.entrySet()) {
      List<String> handles = queue.getValue();
      List<String> failed = runBatches("delete", queue.getKey(), handles, proxy::deleteBatch);
      int ok = handles.size() - failed.size();
      deleted += ok;
      metrics.onDeleted(ok);
      if (!failed.isEmpty()) {
        if (countFailures) {
          metrics.onDeleteFailed(failed.size());
          LOG.warn(
              "Could not delete {} message(s) from {}; they will be redelivered and de-duplicated"
                  + " downstream",
              failed.size(),
              queue.getKey());
        } else {
          LOG.info(
              "{} restored receipt handle(s) of {} were already deleted or expired",
              failed.size(),
              queue.getKey());
        }
      }
    }
    return deleted;
  }

  /**
   * Extends the visibility of every tracked message whose deadline is within {@code marginMs}.
   *
   * @return the number of messages extended
   */
  public int extendDue(long marginMs) {
    long now = clock.millis();
    Map<String, List<String>> due = inFlight.dueForExtension(now, marginMs);
    int extended = 0;
    for (Map.Entry<String, List<String>> queue : due.entrySet()) {
      List<String> handles = queue.getValue();
      List<String> failed =
          runBatches(
              "change visibility of",
              queue.getKey(),
              handles,
              (q, batch) -> proxy.changeVisibilityBatch(q, batch, visibilityTimeoutSeconds));
      Set<String> failedSet = new HashSet<>(failed);
      List<String> ok = new ArrayList<>(handles.size());
      for (String handle : handles) {
        if (!failedSet.contains(handle)) {
          ok.add(handle);
        }
      }
      // The new deadline counts from before the call: SQS restarts the timer on receipt of it.
      inFlight.extended(ok, now + visibilityTimeoutSeconds * 1000L);
      metrics.onVisibilityExtended(ok.size());
      extended += ok.size();
      if (!failed.isEmpty()) {
        LOG.warn(
            "Could not extend the visibility of {} message(s) of {}; they may be redelivered",
            failed.size(),
            queue.getKey());
      }
    }
    return extended;
  }

  /** Makes messages visible again at once (best effort, one try): no checkpoint covers them. */
  public void release(Map<String, List<String>> handlesByQueue) {
    for (Map.Entry<String, List<String>> queue : handlesByQueue.entrySet()) {
      for (List<String> batch : partition(queue.getValue())) {
        try {
          proxy.changeVisibilityBatch(queue.getKey(), batch, 0);
        } catch (RuntimeException e) {
          LOG.info(
              "Could not release {} message(s) of {}; they reappear after their visibility"
                  + " timeout",
              batch.size(),
              queue.getKey(),
              e);
        }
      }
    }
  }

  /** One SQS batch call. */
  @FunctionalInterface
  interface BatchCall {
    List<BatchEntryFailure> apply(String queueUrl, List<String> handles);
  }

  /** Runs the call over batches of 10; returns the handles that failed for good. */
  private List<String> runBatches(
      String what, String queueUrl, List<String> handles, BatchCall call) {
    List<String> failedForGood = new ArrayList<>();
    for (List<String> batch : partition(handles)) {
      List<String> remaining = batch;
      for (int attempt = 1; !remaining.isEmpty(); attempt++) {
        try {
          List<String> retry = new ArrayList<>();
          for (BatchEntryFailure failure : call.apply(queueUrl, remaining)) {
            if (failure.senderFault()) {
              // e.g. ReceiptHandleIsInvalid: the message was redelivered or deleted already.
              failedForGood.add(failure.receiptHandle());
            } else {
              retry.add(failure.receiptHandle());
            }
          }
          remaining = retry;
        } catch (RuntimeException e) {
          if (!SqsExceptionClassifier.isRetryable(e)) {
            LOG.warn("Cannot {} {} message(s) of {}", what, remaining.size(), queueUrl, e);
            failedForGood.addAll(remaining);
            remaining = List.of();
          } else {
            LOG.debug("Try {} to {} messages of {} failed", attempt, what, queueUrl, e);
          }
        }
        if (!remaining.isEmpty()) {
          if (attempt >= backoff.maxAttempts()) {
            failedForGood.addAll(remaining);
            break;
          }
          try {
            sleeper.sleep(backoff.delayMs(attempt));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failedForGood.addAll(remaining);
            break;
          }
        }
      }
    }
    return failedForGood;
  }

  private static List<List<String>> partition(List<String> handles) {
    List<List<String>> batches = new ArrayList<>();
    for (int i = 0; i < handles.size(); i += AwsSqsProxy.MAX_BATCH) {
      batches.add(handles.subList(i, Math.min(handles.size(), i + AwsSqsProxy.MAX_BATCH)));
    }
    return batches;
  }
}
