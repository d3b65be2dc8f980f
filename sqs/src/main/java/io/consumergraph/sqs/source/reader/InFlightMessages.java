package io.consumergraph.sqs.source.reader;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Registry of the reader's received, not yet deleted messages.
 *
 * <p>A message moves through three stages: <em>received</em> (fetched, not emitted), <em>emitted
 * </em> (handed downstream, not yet covered by a checkpoint) and <em>covered by checkpoint n</em>
 * (emitted before the barrier of checkpoint n). Only messages covered by a completed checkpoint are
 * taken for deletion. Every tracked message also carries the deadline of its visibility, so the
 * acknowledger can extend it before SQS hands the message to someone else.
 *
 * <p>Thread-safe: the fetcher adds, the mailbox thread emits and checkpoints, the acknowledger
 * extends.
 */
public final class InFlightMessages {

  private static final long RECEIVED = -2;
  private static final long EMITTED = -1;

  /** A tracked message; mutable fields are guarded by the registry's lock. */
  public static final class Entry {
    final String splitId;
    final String queueUrl;
    final String receiptHandle;
    long visibleUntilMs;
    long checkpointId = RECEIVED;

    Entry(String splitId, String queueUrl, String receiptHandle, long visibleUntilMs) {
      this.splitId = splitId;
      this.queueUrl = queueUrl;
      this.receiptHandle = receiptHandle;
      this.visibleUntilMs = visibleUntilMs;
    }

    public String queueUrl() {
      return queueUrl;
    }

    public String receiptHandle() {
      return receiptHandle;
    }
  }

  private final Map<String, Entry> byHandle = new LinkedHashMap<>();

  /** Registers a fetched message whose visibility lasts until the given time. */
  public synchronized void received(
      String splitId, String queueUrl, String receiptHandle, long visibleUntilMs) {
    byHandle.put(receiptHandle, new Entry(splitId, queueUrl, receiptHandle, visibleUntilMs));
  }

  /** Marks a message as handed downstream; the next checkpoint covers it. */
  public synchronized void emitted(String receiptHandle) {
    Entry entry = byHandle.get(receiptHandle);
    if (entry != null && entry.checkpointId == RECEIVED) {
      entry.checkpointId = EMITTED;
    }
  }

  /** Called at snapshotState: everything emitted so far is covered by this checkpoint. */
  public synchronized void checkpoint(long checkpointId) {
    for (Entry entry : byHandle.values()) {
      if (entry.checkpointId == EMITTED) {
        entry.checkpointId = checkpointId;
      }
    }
  }

  /** Handles of a split that are covered by a checkpoint and not yet deleted. */
  public synchronized List<String> coveredHandles(String splitId) {
    List<String> handles = new ArrayList<>();
    for (Entry entry : byHandle.values()) {
      if (entry.checkpointId >= 0 && entry.splitId.equals(splitId)) {
        handles.add(entry.receiptHandle);
      }
    }
    return handles;
  }

  /**
   * Removes and returns, per queue, every message covered by a checkpoint up to and including the
   * completed one (a completed checkpoint subsumes earlier ones whose notification was lost).
   */
  public synchronized Map<String, List<String>> takeCompleted(long completedCheckpointId) {
    Map<String, List<String>> byQueue = new LinkedHashMap<>();
    var it = byHandle.values().iterator();
    while (it.hasNext()) {
      Entry entry = it.next();
      if (entry.checkpointId >= 0 && entry.checkpointId <= completedCheckpointId) {
        byQueue.computeIfAbsent(entry.queueUrl, q -> new ArrayList<>()).add(entry.receiptHandle);
        it.remove();
      }
    }
    return byQueue;
  }

  /**
   * Removes and returns, per queue, messages no checkpoint covers yet. Used on close: no restored
   * checkpoint can contain them, so they can be made visible again at once.
   */
  public synchronized Map<String, List<String>> takeUncovered() {
    Map<String, List<String>> byQueue = new LinkedHashMap<>();
    var it = byHandle.values().iterator();
    while (it.hasNext()) {
      Entry entry = it.next();
      if (entry.checkpointId < 0) {
        byQueue.computeIfAbsent(entry.queueUrl, q -> new ArrayList<>()).add(entry.receiptHandle);
        it.remove();
      }
    }
    return byQueue;
  }

  /** Messages whose visibility ends within {@code marginMs} of {@code nowMs}, grouped by queue. */
  public synchronized Map<String, List<String>> dueForExtension(long nowMs, long marginMs) {
    Map<String, List<String>> byQueue = new LinkedHashMap<>();
    for (Entry entry : byHandle.values()) {
      if (entry.visibleUntilMs - nowMs <= marginMs) {
        byQueue.computeIfAbsent(entry.queueUrl, q -> new ArrayList<>()).add(entry.receiptHandle);
      }
    }
    return byQueue;
  }

  /** Records the new deadline of extended messages that are still tracked. */
  public synchronized void extended(Collection<String> receiptHandles, long visibleUntilMs) {
    for (String handle : receiptHandles) {
      Entry entry = byHandle.get(handle);
      if (entry != null) {
        entry.visibleUntilMs = visibleUntilMs;
      }
    }
  }

  /** Stops tracking messages SQS no longer knows under these handles. */
  public synchronized void forget(Collection<String> receiptHandles) {
    receiptHandles.forEach(byHandle::remove);
  }

  public synchronized int size() {
    return byHandle.size();
  }

  public synchronized long visibleUntil(String receiptHandle) {
    Entry entry = byHandle.get(receiptHandle);
    return entry == null ? -1 : entry.visibleUntilMs;
  }
}
