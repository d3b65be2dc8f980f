package io.consumergraph.tools.backfill;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.QueueDoesNotExistException;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchResponse;
import software.amazon.awssdk.services.sqs.model.SqsException;

/**
 * Sends batches with SQS SendMessageBatch and classifies failures: a missing queue or a rejected
 * request is final, throttling, server errors and network failures are worth retrying.
 */
public final class SqsQueueSender implements QueueSender {

  private final SqsClient client;
  private final String queueUrl;
  private final boolean ownsClient;

  public SqsQueueSender(SqsClient client, String queueUrl, boolean ownsClient) {
    this.client = client;
    this.queueUrl = queueUrl;
    this.ownsClient = ownsClient;
  }

  @Override
  public Map<String, EntryFailure> send(List<Entry> batch) throws QueueException {
    SendMessageBatchResponse response;
    try {
      response =
          client.sendMessageBatch(
              b ->
                  b.queueUrl(queueUrl)
                      .entries(
                          batch.stream()
                              .map(
                                  e ->
                                      SendMessageBatchRequestEntry.builder()
                                          .id(e.entryId())
                                          .messageBody(e.body())
                                          .build())
                              .toList()));
    } catch (QueueDoesNotExistException e) {
      throw new QueueException("queue " + queueUrl + " does not exist", false, e);
    } catch (SqsException e) {
      int status = e.statusCode();
      boolean retryable = status >= 500 || status == 429 || e.isThrottlingException();
      String code = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorCode();
      if ("AWS.SimpleQueueService.NonExistentQueue".equals(code)) {
        retryable = false;
      }
      throw new QueueException(
          "SendMessageBatch failed (HTTP " + status + " " + code + "): " + e.getMessage(),
          retryable,
          e);
    } catch (SdkClientException e) {
      throw new QueueException("SendMessageBatch failed: " + e.getMessage(), true, e);
    } catch (SdkException e) {
      throw new QueueException("SendMessageBatch failed: " + e.getMessage(), e.retryable(), e);
    }
    Map<String, EntryFailure> failed = new HashMap<>();
    for (BatchResultErrorEntry error : response.failed()) {
      // A sender fault is a bad message: sending it again would fail again.
      boolean retryable = !Boolean.TRUE.equals(error.senderFault());
      failed.put(error.id(), new EntryFailure(error.code(), error.message(), retryable));
    }
    return failed;
  }

  @Override
  public void close() {
    if (ownsClient) {
      client.close();
    }
  }
}
