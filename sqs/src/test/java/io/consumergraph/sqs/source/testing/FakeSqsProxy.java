package io.consumergraph.sqs.source.testing;

import io.consumergraph.sqs.proxy.BatchEntryFailure;
import io.consumergraph.sqs.proxy.OutgoingSqsMessage;
import io.consumergraph.sqs.proxy.ReceivedSqsMessage;
import io.consumergraph.sqs.proxy.SendFailure;
import io.consumergraph.sqs.proxy.SqsProxy;
import io.consumergraph.sqs.source.serialization.SqsMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** An in-memory {@link SqsProxy} that records every call; no network, no visibility timers. */
public final class FakeSqsProxy implements SqsProxy {

  /** One recorded call. */
  public record Call(
      String op, String queueUrl, List<String> handles, int waitSeconds, int visibility) {}

  private final Map<String, Deque<ReceivedSqsMessage>> queues = new ConcurrentHashMap<>();
  private final AtomicInteger sequence = new AtomicInteger();
  public final List<Call> calls = new CopyOnWriteArrayList<>();
  public final List<String> deleted = new CopyOnWriteArrayList<>();

  /** Receive calls that throw before the next one succeeds. */
  public volatile int failReceives;

  /** Delete calls that throw before the next one succeeds. */
  public volatile int failDeletes;

  /** Throw this from failing calls. */
  public volatile RuntimeException failure =
      software.amazon.awssdk.core.exception.SdkClientException.create("connection refused");

  /** Send a message; returns its receipt handle. */
  public synchronized String send(String queueUrl, String body) {
    return send(queueUrl, body, 1);
  }

  public synchronized String send(String queueUrl, String body, int receiveCount) {
    int n = sequence.incrementAndGet();
    String handle = "rh-" + n;
    Map<String, String> attributes = new HashMap<>();
    attributes.put(SqsMessage.APPROXIMATE_RECEIVE_COUNT, Integer.toString(receiveCount));
    attributes.put(SqsMessage.SENT_TIMESTAMP, "1000");
    queues
        .computeIfAbsent(queueUrl, q -> new ArrayDeque<>())
        .add(
            new ReceivedSqsMessage(
                new SqsMessage(queueUrl, "id-" + n, body, attributes, Map.of()), handle));
    return handle;
  }

  public synchronized int pending(String queueUrl) {
    return queues.getOrDefault(queueUrl, new ArrayDeque<>()).size();
  }

  public List<Call> calls(String op) {
    return calls.stream().filter(c -> c.op().equals(op)).toList();
  }

  @Override
  public List<ReceivedSqsMessage> receive(
      String queueUrl, int maxMessages, int waitTimeSeconds, int visibilityTimeoutSeconds) {
    List<ReceivedSqsMessage> out =
        receiveNow(queueUrl, maxMessages, waitTimeSeconds, visibilityTimeoutSeconds);
    if (out.isEmpty() && waitTimeSeconds > 0) {
      // Stand-in for a long poll, so a reader thread on this fake does not spin.
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return out;
  }

  private synchronized List<ReceivedSqsMessage> receiveNow(
      String queueUrl, int maxMessages, int waitTimeSeconds, int visibilityTimeoutSeconds) {
    calls.add(new Call("receive", queueUrl, List.of(), waitTimeSeconds, visibilityTimeoutSeconds));
    if (failReceives > 0) {
      failReceives--;
      throw failure;
    }
    Deque<ReceivedSqsMessage> queue = queues.computeIfAbsent(queueUrl, q -> new ArrayDeque<>());
    List<ReceivedSqsMessage> out = new ArrayList<>();
    while (out.size() < maxMessages && !queue.isEmpty()) {
      out.add(queue.poll());
    }
    return out;
  }

  @Override
  public synchronized List<BatchEntryFailure> deleteBatch(String queueUrl, List<String> handles) {
    if (handles.size() > 10) {
      throw new IllegalArgumentException("batch > 10");
    }
    calls.add(new Call("delete", queueUrl, List.copyOf(handles), 0, 0));
    if (failDeletes > 0) {
      failDeletes--;
      throw failure;
    }
    deleted.addAll(handles);
    return List.of();
  }

  @Override
  public synchronized List<BatchEntryFailure> changeVisibilityBatch(
      String queueUrl, List<String> handles, int visibilityTimeoutSeconds) {
    if (handles.size() > 10) {
      throw new IllegalArgumentException("batch > 10");
    }
    calls.add(new Call("visibility", queueUrl, List.copyOf(handles), 0, visibilityTimeoutSeconds));
    return List.of();
  }

  /** SendMessageBatch calls that throw before the next one succeeds. */
  public volatile int failSends;

  /** Entries the next sends refuse as throttled (retryable), one per entry, before they pass. */
  public volatile int throttleEntries;

  /** Bodies containing this are refused as the sender's fault (like MessageTooLong). */
  public volatile String refuseContaining = "\u0000never";

  /** Every batch SQS accepted at least partly, as sent. */
  public final List<List<OutgoingSqsMessage>> sentBatches = new CopyOnWriteArrayList<>();

  @Override
  public synchronized List<SendFailure> sendBatch(
      String queueUrl, List<OutgoingSqsMessage> messages) {
    if (messages.isEmpty() || messages.size() > 10) {
      throw new IllegalArgumentException("batch of " + messages.size());
    }
    calls.add(new Call("send", queueUrl, List.of(), 0, 0));
    if (failSends > 0) {
      failSends--;
      throw failure;
    }
    List<SendFailure> failures = new ArrayList<>();
    List<OutgoingSqsMessage> accepted = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      OutgoingSqsMessage message = messages.get(i);
      if (message.body().contains(refuseContaining)) {
        failures.add(new SendFailure(i, "MessageTooLong", "too long", true));
      } else if (throttleEntries > 0) {
        throttleEntries--;
        failures.add(new SendFailure(i, "RequestThrottled", "slow down", false));
      } else {
        accepted.add(message);
        send(queueUrl, message.body());
      }
    }
    sentBatches.add(accepted);
    return failures;
  }

  @Override
  public void close() {}
}
