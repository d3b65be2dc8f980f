package io.consumergraph.sqs.source.proxy;

import io.consumergraph.sqs.source.serialization.SqsMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.BatchResultErrorEntry;
import software.amazon.awssdk.services.sqs.model.ChangeMessageVisibilityBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** {@link SqsProxy} on the AWS SDK v2 synchronous client. */
public final class AwsSqsProxy implements SqsProxy {

  /** SQS's limit of entries per batch call. */
  public static final int MAX_BATCH = 10;

  private final SqsClient client;

  public AwsSqsProxy(SqsClient client) {
    this.client = client;
  }

  @Override
  public List<ReceivedSqsMessage> receive(
      String queueUrl, int maxMessages, int waitTimeSeconds, int visibilityTimeoutSeconds) {
    List<Message> messages =
        client
            .receiveMessage(
                b ->
                    b.queueUrl(queueUrl)
                        .maxNumberOfMessages(maxMessages)
                        .waitTimeSeconds(waitTimeSeconds)
                        .visibilityTimeout(visibilityTimeoutSeconds)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                        .messageAttributeNames("All"))
            .messages();
    List<ReceivedSqsMessage> received = new ArrayList<>(messages.size());
    for (Message m : messages) {
      Map<String, String> attributes = new HashMap<>();
      m.attributes().forEach((name, value) -> attributes.put(name.toString(), value));
      Map<String, String> messageAttributes = new HashMap<>();
      for (Map.Entry<String, MessageAttributeValue> e : m.messageAttributes().entrySet()) {
        if (e.getValue().stringValue() != null) {
          messageAttributes.put(e.getKey(), e.getValue().stringValue());
        }
      }
      received.add(
          new ReceivedSqsMessage(
              new SqsMessage(queueUrl, m.messageId(), m.body(), attributes, messageAttributes),
              m.receiptHandle()));
    }
    return received;
  }

  @Override
  public List<BatchEntryFailure> deleteBatch(String queueUrl, List<String> receiptHandles) {
    checkBatch(receiptHandles);
    List<DeleteMessageBatchRequestEntry> entries = new ArrayList<>(receiptHandles.size());
    for (int i = 0; i < receiptHandles.size(); i++) {
      String id = Integer.toString(i);
      String handle = receiptHandles.get(i);
      entries.add(DeleteMessageBatchRequestEntry.builder().id(id).receiptHandle(handle).build());
    }
    var response = client.deleteMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
    return failures(response.failed(), receiptHandles);
  }

  @Override
  public List<BatchEntryFailure> changeVisibilityBatch(
      String queueUrl, List<String> receiptHandles, int visibilityTimeoutSeconds) {
    checkBatch(receiptHandles);
    List<ChangeMessageVisibilityBatchRequestEntry> entries = new ArrayList<>(receiptHandles.size());
    for (int i = 0; i < receiptHandles.size(); i++) {
      entries.add(
          ChangeMessageVisibilityBatchRequestEntry.builder()
              .id(Integer.toString(i))
              .receiptHandle(receiptHandles.get(i))
              .visibilityTimeout(visibilityTimeoutSeconds)
              .build());
    }
    var response = client.changeMessageVisibilityBatch(b -> b.queueUrl(queueUrl).entries(entries));
    return failures(response.failed(), receiptHandles);
  }

  private static void checkBatch(List<String> receiptHandles) {
    if (receiptHandles.isEmpty() || receiptHandles.size() > MAX_BATCH) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + MAX_BATCH + " entries, got " + receiptHandles.size());
    }
  }

  private static List<BatchEntryFailure> failures(
      List<BatchResultErrorEntry> failed, List<String> receiptHandles) {
    List<BatchEntryFailure> result = new ArrayList<>(failed.size());
    for (BatchResultErrorEntry e : failed) {
      result.add(
          new BatchEntryFailure(
              receiptHandles.get(Integer.parseInt(e.id())),
              e.code(),
              Boolean.TRUE.equals(e.senderFault())));
    }
    return result;
  }

  @Override
  public void close() {
    client.close();
  }
}
