package io.consumergraph.sqs.proxy;

import java.util.List;

/**
 * The only way the source and the sink talk to SQS, kept small so their logic is tested against a
 * fake.
 *
 * <p>Calls throw the AWS SDK's {@link software.amazon.awssdk.core.exception.SdkException}s; {@link
 * SqsExceptionClassifier} decides which are retried. Implementations must be thread-safe: the
 * source's fetcher polls while its acknowledger deletes and extends.
 */
public interface SqsProxy extends AutoCloseable {

  /** ReceiveMessage with all system attributes and all message attributes. */
  List<ReceivedSqsMessage> receive(
      String queueUrl, int maxMessages, int waitTimeSeconds, int visibilityTimeoutSeconds);

  /** DeleteMessageBatch of at most 10 handles; returns the entries SQS refused. */
  List<BatchEntryFailure> deleteBatch(String queueUrl, List<String> receiptHandles);

  /** ChangeMessageVisibilityBatch of at most 10 handles; returns the entries SQS refused. */
  List<BatchEntryFailure> changeVisibilityBatch(
      String queueUrl, List<String> receiptHandles, int visibilityTimeoutSeconds);

  /**
   * SendMessageBatch of 1 to 10 messages; returns the entries SQS refused (the others are sent).
   */
  List<SendFailure> sendBatch(String queueUrl, List<OutgoingSqsMessage> messages);

  @Override
  void close();
}
