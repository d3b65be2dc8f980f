package io.consumergraph.tools.backfill;

import io.consumergraph.tools.backfill.QueueSender.Entry;
import io.consumergraph.tools.backfill.QueueSender.EntryFailure;
import io.consumergraph.tools.backfill.QueueSender.QueueException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one message per user id in order, paced, in batches, retrying failed entries a bounded
 * number of times. It reports the confirmed position after every batch, so a run that stops
 * (failure, cancellation, shutdown) can be continued exactly after the last id confirmed sent. The
 * CLI and the admin service both send through this class.
 */
public final class BackfillSender {

  private static final Logger LOG = LoggerFactory.getLogger(BackfillSender.class);

  /** How failed sends are retried. */
  public record RetryPolicy(int maxAttempts, long initialBackoffMs, long maxBackoffMs) {
    public static final RetryPolicy DEFAULT = new RetryPolicy(6, 200, 5_000);

    public RetryPolicy {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
      }
    }

    long backoffMs(int attempt) {
      return Math.min(maxBackoffMs, initialBackoffMs << Math.min(20, attempt - 1));
    }
  }

  /** Told the position after each batch; the admin service persists it, the CLI shows it. */
  public interface Listener {
    void confirmed(SendPosition position, int sentThisRun);
  }

  /** How a run ended. */
  public enum Ending {
    COMPLETED,
    STOPPED,
    FAILED
  }

  /** The result of a run; {@code error} is set when it failed. */
  public record Outcome(
      Ending ending, SendPosition position, int sentThisRun, int failedEntries, String error) {}

  private final QueueSender queue;
  private final Pacer pacer;
  private final int batchSize;
  private final RetryPolicy retry;
  private final Function<String, String> bodyFor;

  public BackfillSender(
      QueueSender queue,
      Pacer pacer,
      int batchSize,
      RetryPolicy retry,
      Function<String, String> bodyFor) {
    if (batchSize < 1 || batchSize > QueueSender.MAX_BATCH) {
      throw new IllegalArgumentException("batch size must be within 1..10: " + batchSize);
    }
    this.queue = queue;
    this.pacer = pacer;
    this.batchSize = batchSize;
    this.retry = retry;
    this.bodyFor = bodyFor;
  }

  /**
   * Sends every id of {@code ids} not yet sent according to {@code from}; stops between batches
   * once {@code stopRequested} is true.
   */
  public Outcome run(
      List<String> ids, SendPosition from, Listener listener, BooleanSupplier stopRequested) {
    int next = from.next();
    TreeSet<Integer> beyond = new TreeSet<>(from.sentBeyond());
    int sent = 0;
    int failedEntries = 0;
    int i = next;
    while (true) {
      while (!beyond.isEmpty() && beyond.first() == next) {
        beyond.pollFirst();
        next++;
      }
      i = Math.max(i, next);
      List<Integer> batch = new ArrayList<>(batchSize);
      while (batch.size() < batchSize && i < ids.size()) {
        if (!beyond.contains(i)) {
          batch.add(i);
        }
        i++;
      }
      if (batch.isEmpty()) {
        return new Outcome(Ending.COMPLETED, position(next, beyond), sent, failedEntries, null);
      }
      if (stopRequested.getAsBoolean()) {
        return new Outcome(Ending.STOPPED, position(next, beyond), sent, failedEntries, null);
      }
      List<Integer> pending = batch;
      int attempt = 1;
      String error = null;
      try {
        pacer.acquire(pending.size());
        while (!pending.isEmpty()) {
          List<Entry> entries = new ArrayList<>(pending.size());
          for (int index : pending) {
            entries.add(new Entry(Integer.toString(index), bodyFor.apply(ids.get(index))));
          }
          Map<String, EntryFailure> failed;
          try {
            failed = queue.send(entries);
          } catch (QueueException e) {
            if (!e.retryable() || attempt >= retry.maxAttempts()) {
              error = e.getMessage() + (e.retryable() ? " (after " + attempt + " attempts)" : "");
              break;
            }
            LOG.warn("Attempt {} failed, retrying: {}", attempt, e.getMessage());
            backoff(attempt++, stopRequested);
            continue;
          }
          List<Integer> retryable = new ArrayList<>();
          for (int index : pending) {
            EntryFailure failure = failed.get(Integer.toString(index));
            if (failure == null) {
              beyond.add(index);
              sent++;
            } else if (failure.retryable() && attempt < retry.maxAttempts()) {
              retryable.add(index);
            } else {
              failedEntries++;
              if (error == null) {
                error =
                    "user "
                        + UserIdValidator.abbreviated(ids.get(index))
                        + " was not sent: "
                        + failure.code()
                        + " "
                        + failure.message()
                        + (failure.retryable() ? " (after " + attempt + " attempts)" : "");
              }
            }
          }
          if (error != null) {
            break;
          }
          pending = retryable;
          if (!pending.isEmpty()) {
            LOG.warn("{} entries failed on attempt {}, retrying", pending.size(), attempt);
            backoff(attempt++, stopRequested);
            pacer.acquire(pending.size());
          }
        }
      } catch (InterruptedException | StopRequested e) {
        if (e instanceof InterruptedException) {
          Thread.currentThread().interrupt();
        }
        while (!beyond.isEmpty() && beyond.first() == next) {
          beyond.pollFirst();
          next++;
        }
        return new Outcome(Ending.STOPPED, position(next, beyond), sent, failedEntries, null);
      }
      while (!beyond.isEmpty() && beyond.first() == next) {
        beyond.pollFirst();
        next++;
      }
      SendPosition position = position(next, beyond);
      listener.confirmed(position, sent);
      if (error != null) {
        return new Outcome(Ending.FAILED, position, sent, failedEntries, error);
      }
    }
  }

  /** A stop requested while waiting to retry: the batch is abandoned, its sent part kept. */
  private static final class StopRequested extends Exception {
    StopRequested() {
      super(null, null, false, false);
    }
  }

  private void backoff(int attempt, BooleanSupplier stopRequested)
      throws InterruptedException, StopRequested {
    long until = System.nanoTime() + retry.backoffMs(attempt) * 1_000_000;
    while (System.nanoTime() < until) {
      if (stopRequested.getAsBoolean()) {
        throw new StopRequested();
      }
      Thread.sleep(Math.max(1, Math.min(50, (until - System.nanoTime()) / 1_000_000)));
    }
  }

  private static SendPosition position(int next, TreeSet<Integer> beyond) {
    return new SendPosition(next, new ArrayList<>(beyond));
  }
}
