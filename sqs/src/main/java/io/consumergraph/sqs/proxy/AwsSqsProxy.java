package io.consumergraph.sqs.proxy;

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
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

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

  @Override
  public List<SendFailure> sendBatch(String queueUrl, List<OutgoingSqsMessage> messages) {
    checkBatch(messages);
    List<SendMessageBatchRequestEntry> entries = new ArrayList<>(messages.size());
    for (int i = 0; i < messages.size(); i++) {
      OutgoingSqsMessage message = messages.get(i);
      Map<String, MessageAttributeValue> attributes = new HashMap<>();
      message
          .attributes()
          .forEach(
              (name, value) ->
                  attributes.put(
                      name,
                      MessageAttributeValue.builder()
                          .dataType("String")
                          .stringValue(value)
                          .build()));
      entries.add(
          SendMessageBatchRequestEntry.builder()
              .id(Integer.toString(i))
              .messageBody(message.body())
              .messageAttributes(attributes)
              .build());
    }
    var response = client.sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
    List<SendFailure> result = new ArrayList<>(response.failed().size());
    for (BatchResultErrorEntry e : response.failed()) {
      result.add(
          new SendFailure(
              Integer.parseInt(e.id()),
              e.code(),
              e.message(),
              Boolean.TRUE.equals(e.senderFault())));
    }
    return result;
  }

  private static void checkBatch(List<?> entries) {
    if (entries.isEmpty() || entries.size() > MAX_BATCH) {
      throw new IllegalArgumentException(
          "a batch holds 1 to " + MAX_BATCH + " entries, got " + entries.size());
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
