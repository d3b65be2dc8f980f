package io.consumergraph.job.sqs;

import io.consumergraph.model.DeadLetter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequest;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResultEntry;

/**
 * Buffers dead letters and sends them with SendMessageBatch: when 10 are buffered, when the oldest
 * has waited {@code maxBufferTime}, on every checkpoint and at the end of input. Calls block the
 * task thread; dead letters are rare, and blocking is what makes "sent before the checkpoint
 * completes" hold.
 */
final class SqsDeadLetterWriter implements SinkWriter<DeadLetter> {

  private static final Logger LOG = LoggerFactory.getLogger(SqsDeadLetterWriter.class);

  /** SendMessageBatch takes at most 10 entries. */
  static final int MAX_BATCH_ENTRIES = 10;

  /**
   * Bytes per SendMessageBatch request. SQS now takes up to 1 MiB, but 256 KiB was its limit for
   * years and still is for some SQS-compatible servers; a dead letter is rarely large, so the
   * smaller batches cost little. One letter over it still goes alone and SQS decides.
   */
  static final int MAX_BATCH_BYTES = 256 * 1024;

  /** Exception messages can be long; the dead letter keeps the start, the logs have the rest. */
  static final int MAX_DETAIL_CHARS = 4_096;

  static final String REASON = "dlq.reason";
  static final String DETAIL = "dlq.detail";
  static final String SOURCE = "dlq.source";
  static final String FAILED_AT_MS = "dlq.failed-at-ms";
  static final String PARTITION = "dlq.partition";
  static final String OFFSET = "dlq.offset";

  /**
   * Present only when the body is not the payload as UTF-8 text: {@code base64} or {@code empty}.
   */
  static final String BODY_ENCODING = "dlq.body-encoding";

  private static final Set<String> RETRYABLE_CODES =
      Set.of(
          "RequestThrottled",
          "ThrottlingException",
          "ServiceUnavailable",
          "InternalError",
          "InternalFailure",
          "KmsThrottled");

  private final SqsDeadLetterSettings settings;
  private final SqsClient client;
  private final ProcessingTimeService time;
  private final Deque<Outgoing> buffer = new ArrayDeque<>();
  private final Counter sent;
  private final Counter batches;
  private final Counter retries;
  private final Counter recordsSend;
  private boolean timerPending;

  SqsDeadLetterWriter(
      SqsDeadLetterSettings settings,
      SqsClient client,
      ProcessingTimeService time,
      SinkWriterMetricGroup metrics) {
    this.settings = settings;
    this.client = client;
    this.time = time;
    this.sent = metrics.counter("sqsDeadLettersSent");
    this.batches = metrics.counter("sqsDeadLetterBatches");
    this.retries = metrics.counter("sqsDeadLetterRetries");
    this.recordsSend = metrics.getNumRecordsSendCounter();
  }

  @Override
  public void write(DeadLetter letter, Context context) throws IOException, InterruptedException {
    buffer.addLast(Outgoing.of(letter));
    if (buffer.size() >= MAX_BATCH_ENTRIES) {
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
    client.close();
  }

  private void sendBuffered() throws IOException, InterruptedException {
    while (!buffer.isEmpty()) {
      List<Outgoing> batch = new ArrayList<>(MAX_BATCH_ENTRIES);
      long bytes = 0;
      for (Outgoing next : buffer) {
        boolean full =
            batch.size() == MAX_BATCH_ENTRIES
                || (!batch.isEmpty() && bytes + next.bytes() > MAX_BATCH_BYTES);
        if (full) {
          break;
        }
        batch.add(next);
        bytes += next.bytes();
      }
      send(batch);
      for (int i = 0; i < batch.size(); i++) {
        buffer.removeFirst(); // only once sent: a failure leaves them for the job's restart
      }
    }
  }

  /** Sends one batch, retrying what failed transiently; throws when a letter cannot be sent. */
  private void send(List<Outgoing> batch) throws IOException, InterruptedException {
    Map<String, Outgoing> unsent = new LinkedHashMap<>();
    for (int i = 0; i < batch.size(); i++) {
      unsent.put(Integer.toString(i), batch.get(i)); // ids only need to be unique per request
    }
    long backoffMs = settings.initialBackoff().toMillis();
    for (int attempt = 1; ; attempt++) {
      String problem;
      try {
        SendMessageBatchResponse response = client.sendMessageBatch(request(unsent));
        batches.inc();
        for (SendMessageBatchResultEntry ok : response.successful()) {
          if (unsent.remove(ok.id()) != null) {
            sent.inc();
            recordsSend.inc();
          }
        }
        if (unsent.isEmpty()) {
          return;
        }
        for (BatchResultErrorEntry failed : response.failed()) {
          Outgoing letter = unsent.get(failed.id());
          if (failed.senderFault() && letter != null) {
            // The request itself is wrong (too large, invalid contents): no retry can fix it.
            throw new IOException(
                "SQS rejected dead letter "
                    + letter.describe()
                    + " for "
                    + settings.queueUrl()
                    + ": "
                    + failed.code()
                    + ": "
                    + failed.message()
                    + "; failing the job rather than losing it");
          }
        }
        problem = describe(response.failed());
      } catch (SdkException e) {
        if (!isRetryable(e)) {
          throw new IOException(
              "Could not send "
                  + unsent.size()
                  + " dead letter(s) to "
                  + settings.queueUrl()
                  + ", first "
                  + unsent.values().iterator().next().describe()
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
                + " dead letter(s) to "
                + settings.queueUrl()
                + " in "
                + attempt
                + " attempts; last problem: "
                + problem
                + "; failing the job rather than losing them");
      }
      retries.inc();
      LOG.warn(
          "Sending {} dead letter(s) to {} failed (attempt {} of {}), retrying in {} ms: {}",
          unsent.size(),
          settings.queueUrl(),
          attempt,
          settings.maxAttempts(),
          backoffMs,
          problem);
      Thread.sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, settings.maxBackoff().toMillis());
    }
  }

  private SendMessageBatchRequest request(Map<String, Outgoing> letters) {
    List<SendMessageBatchRequestEntry> entries = new ArrayList<>(letters.size());
    letters.forEach(
        (id, letter) ->
            entries.add(
                SendMessageBatchRequestEntry.builder()
                    .id(id)
                    .messageBody(letter.body())
                    .messageAttributes(letter.attributes())
                    .build()));
    return SendMessageBatchRequest.builder().queueUrl(settings.queueUrl()).entries(entries).build();
  }

  /**
   * Throttling, 5xx and not reaching SQS at all are transient; a missing queue or denied access
   * not.
   */
  static boolean isRetryable(SdkException e) {
    if (e instanceof QueueDoesNotExistException) {
      return false;
    }
    if (e instanceof AwsServiceException service) {
      return service.isThrottlingException()
          || service.statusCode() >= 500
          || (service.awsErrorDetails() != null
              && RETRYABLE_CODES.contains(service.awsErrorDetails().errorCode()));
    }
    return e instanceof SdkClientException;
  }

  private static String describe(List<BatchResultErrorEntry> failed) {
    StringBuilder s = new StringBuilder();
    for (BatchResultErrorEntry f : failed) {
      if (!s.isEmpty()) {
        s.append("; ");
      }
      s.append(f.code()).append(": ").append(f.message());
    }
    return s.toString();
  }

  /** A dead letter as one SQS message. */
  record Outgoing(
      String body, Map<String, MessageAttributeValue> attributes, int bytes, String describe) {

    static Outgoing of(DeadLetter letter) {
      Map<String, MessageAttributeValue> attributes = new LinkedHashMap<>();
      put(attributes, REASON, letter.reason());
      put(attributes, DETAIL, truncate(letter.detail()));
      put(attributes, SOURCE, letter.source());
      put(attributes, FAILED_AT_MS, Long.toString(letter.failedAtMs()));
      if (letter.partition() >= 0) {
        put(attributes, PARTITION, Integer.toString(letter.partition()));
      }
      if (letter.offset() >= 0) {
        put(attributes, OFFSET, Long.toString(letter.offset()));
      }
      String body;
      byte[] payload = letter.payload();
      String text = payload == null ? null : sqsText(payload);
      if (payload == null || payload.length == 0) {
        body = "(empty payload)"; // SQS refuses an empty body
        put(attributes, BODY_ENCODING, "empty");
      } else if (text != null) {
        body = text;
      } else {
        // Not text SQS accepts (binary, invalid UTF-8, control characters): keep it exactly.
        body = Base64.getEncoder().encodeToString(payload);
        put(attributes, BODY_ENCODING, "base64");
      }
      int bytes = body.getBytes(StandardCharsets.UTF_8).length;
      for (Map.Entry<String, MessageAttributeValue> e : attributes.entrySet()) {
        // SQS counts name, data type and value of every attribute towards the size limit.
        bytes += e.getKey().length() + "String".length();
        bytes += e.getValue().stringValue().getBytes(StandardCharsets.UTF_8).length;
      }
      String describe =
          "(reason "
              + letter.reason()
              + ", source "
              + letter.source()
              + (letter.partition() >= 0 ? "/" + letter.partition() + "@" + letter.offset() : "")
              + ", "
              + bytes
              + " bytes)";
      return new Outgoing(body, Map.copyOf(attributes), bytes, describe);
    }

    private static void put(Map<String, MessageAttributeValue> attributes, String name, String v) {
      // SQS refuses empty attribute values and characters outside its XML-safe set.
      String value = v == null || v.isEmpty() ? "(none)" : sanitize(v);
      attributes.put(
          name, MessageAttributeValue.builder().dataType("String").stringValue(value).build());
    }

    private static String truncate(String detail) {
      if (detail == null || detail.length() <= MAX_DETAIL_CHARS) {
        return detail;
      }
      return detail.substring(0, MAX_DETAIL_CHARS) + "... (truncated)";
    }

    /** The payload as text when it is valid UTF-8 of characters SQS accepts, else null. */
    private static String sqsText(byte[] payload) {
      String text;
      try {
        text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(payload))
                .toString();
      } catch (CharacterCodingException e) {
        return null;
      }
      return text.codePoints().allMatch(Outgoing::allowed) ? text : null;
    }

    private static String sanitize(String s) {
      if (s.codePoints().allMatch(Outgoing::allowed)) {
        return s;
      }
      StringBuilder out = new StringBuilder(s.length());
      s.codePoints().forEach(c -> out.appendCodePoint(allowed(c) ? c : 0xFFFD));
      return out.toString();
    }

    /** The characters an SQS message body or attribute may contain. */
    private static boolean allowed(int c) {
      return c == 0x9
          || c == 0xA
          || c == 0xD
          || (c >= 0x20 && c <= 0xD7FF)
          || (c >= 0xE000 && c <= 0xFFFD)
          || (c >= 0x10000 && c <= 0x10FFFF);
    }
  }
}
