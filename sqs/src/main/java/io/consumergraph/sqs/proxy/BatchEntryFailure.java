package io.consumergraph.sqs.proxy;

/**
 * One entry of a DeleteMessageBatch / ChangeMessageVisibilityBatch call that SQS refused.
 *
 * @param receiptHandle the handle of the refused entry
 * @param code SQS's error code, e.g. {@code ReceiptHandleIsInvalid}
 * @param senderFault true when retrying the same request cannot help
 */
public record BatchEntryFailure(String receiptHandle, String code, boolean senderFault) {}
