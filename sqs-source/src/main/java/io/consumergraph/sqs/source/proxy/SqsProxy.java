package io.consumergraph.sqs.source.proxy;

import java.util.List;

/**
 * The only way the source talks to SQS, kept small so the reader's logic is tested against a fake.
 *
 * <p>Calls throw the AWS SDK's {@link software.amazon.awssdk.core.exception.SdkException}s; {@link
 * SqsExceptionClassifier} decides which are retried. Implementations must be thread-safe: the
 * fetcher polls while the acknowledger deletes and extends.
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

  @Override
  void close();
}
