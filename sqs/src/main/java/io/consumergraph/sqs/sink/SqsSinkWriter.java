package io.consumergraph.sqs.sink;

import io.consumergraph.sqs.proxy.AwsSqsProxy;
import io.consumergraph.sqs.proxy.OutgoingSqsMessage;
import io.consumergraph.sqs.proxy.SendFailure;
import io.consumergraph.sqs.proxy.SqsExceptionClassifier;
import io.consumergraph.sqs.proxy.SqsProxy;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * Buffers messages and sends them with SendMessageBatch: when 10 are buffered, when the oldest has
 * waited {@code maxBufferTime}, on every checkpoint and at the end of input. Calls block the task
 * thread: blocking is what makes "sent before the checkpoint completes" hold.
 */
final class SqsSinkWriter<T> implements SinkWriter<T> {

  private static final Logger LOG = LoggerFactory.getLogger(SqsSinkWriter.class);

  /**
   * Bytes per SendMessageBatch request. SQS now takes up to 1 MiB, but 256 KiB was its limit for
   * years and still is for some SQS-compatible servers; the smaller batches cost little. One
   * message over it still goes alone and SQS decides.
   */
  static final int MAX_BATCH_BYTES = 256 * 1024;

  private final String queueUrl;
  private final SqsProxy proxy;
  private final SqsSinkElementConverter<T> converter;
  private final SqsSink.Settings settings;
  private final ProcessingTimeService time;
  private final Deque<Buffered> buffer = new ArrayDeque<>();
  private final Counter sent;
  private final Counter batches;
  private final Counter retries;
  private final Counter recordsSend;
  private boolean timerPending;

  private record Buffered(OutgoingSqsMessage message, int bytes) {}

  SqsSinkWriter(
      String queueUrl,
      SqsProxy proxy,
      SqsSinkElementConverter<T> converter,
      SqsSink.Settings settings,
      ProcessingTimeService time,
      SinkWriterMetricGroup metrics) {
    this.queueUrl = queueUrl;
    this.proxy = proxy;
    this.converter = converter;
    this.settings = settings;
    this.time = time;
    String kind = settings.messageKind();
    MetricGroup own =
        settings.metricGroup().isEmpty() ? metrics : metrics.addGroup(settings.metricGroup());
    this.sent = own.counter("sqs" + kind + "sSent");
    this.batches = own.counter("sqs" + kind + "Batches");
    this.retries = own.counter("sqs" + kind + "Retries");
    this.recordsSend = metrics.getNumRecordsSendCounter();
  }

  @Override
  public void write(T element, Context context) throws IOException, InterruptedException {
    OutgoingSqsMessage message = converter.toMessage(element);
    buffer.addLast(new Buffered(message, message.bytes()));
    if (buffer.size() >= AwsSqsProxy.MAX_BATCH) {
      sendBuffered();
    } else if (!timerPending) {
      timerPending = true;
      // Timers run on the task thread, like write() and flush(): no locking needed.
      time.registerTimer(
          time.getCurrentProcessingTime() + settings.maxBufferTime().toMillis(),
          timestamp -> {
            timerPending = false;
            sendBuffered();
          });
    }
  }

  /** Called before every checkpoint barrier goes downstream and at the end of input. */
  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    sendBuffered();
  }

  @Override
  public void close() {
    proxy.close();
  }

  private void sendBuffered() throws IOException, InterruptedException {
    while (!buffer.isEmpty()) {
      List<OutgoingSqsMessage> batch = new ArrayList<>(AwsSqsProxy.MAX_BATCH);
      long bytes = 0;
      for (Buffered next : buffer) {
        boolean full =
            batch.size() == AwsSqsProxy.MAX_BATCH
                || (!batch.isEmpty() && bytes + next.bytes() > MAX_BATCH_BYTES);
        if (full) {
          break;
        }
        batch.add(next.message());
        bytes += next.bytes();
      }
      send(batch);
      for (int i = 0; i < batch.size(); i++) {
        buffer.removeFirst(); // only once sent: a failure leaves them for the job's restart
      }
    }
  }

  /** Sends one batch, retrying what failed transiently; throws when a message cannot be sent. */
  private void send(List<OutgoingSqsMessage> batch) throws IOException, InterruptedException {
    List<OutgoingSqsMessage> unsent = batch;
    long backoffMs = settings.initialBackoff().toMillis();
    for (int attempt = 1; ; attempt++) {
      String problem;
      try {
        List<SendFailure> failures = proxy.sendBatch(queueUrl, unsent);
        batches.inc();
        sent.inc(unsent.size() - failures.size());
        recordsSend.inc(unsent.size() - failures.size());
        if (failures.isEmpty()) {
          return;
        }
        List<OutgoingSqsMessage> again = new ArrayList<>(failures.size());
        StringBuilder problems = new StringBuilder();
        for (SendFailure failure : failures) {
          OutgoingSqsMessage message = unsent.get(failure.index());
          if (failure.senderFault()) {
            // The request itself is wrong (too large, invalid contents): no retry can fix it.
            throw new IOException(
                "SQS rejected "
                    + message.describe()
                    + " for "
                    + queueUrl
                    + ": "
                    + failure.code()
                    + ": "
                    + failure.message()
                    + "; failing the job rather than losing it");
          }
          again.add(message);
          if (!problems.isEmpty()) {
            problems.append("; ");
          }
          problems.append(failure.code()).append(": ").append(failure.message());
        }
        unsent = again;
        problem = problems.toString();
      } catch (SdkException e) {
        if (!SqsExceptionClassifier.isRetryable(e)) {
          throw new IOException(
              "Could not send "
                  + unsent.size()
                  + " message(s) to "
                  + queueUrl
                  + ", first "
                  + unsent.get(0).describe()
                  + ": "
                  + e.getMessage()
                  + " (not retryable); failing the job rather than losing them",
              e);
        }
        problem = e.getMessage();
      }
      if (attempt >= settings.maxAttempts()) {
        throw new IOException(
            "Could not send "
                + unsent.size()
                + " message(s) to "
                + queueUrl
                + " in "
                + attempt
                + " attempts; last problem: "
                + problem
                + "; failing the job rather than losing them");
      }
      retries.inc();
      LOG.warn(
          "Sending {} message(s) to {} failed (attempt {} of {}), retrying in {} ms: {}",
          unsent.size(),
          queueUrl,
          attempt,
          settings.maxAttempts(),
          backoffMs,
          problem);
      Thread.sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, settings.maxBackoff().toMillis());
    }
  }
}
