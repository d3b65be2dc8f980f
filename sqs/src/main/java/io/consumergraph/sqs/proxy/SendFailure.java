package io.consumergraph.sqs.proxy;

/**
 * One entry of a SendMessageBatch call that SQS refused.
 *
 * @param index the entry's position in the batch
 * @param code SQS's error code, e.g. {@code MessageTooLong}
 * @param message SQS's explanation
 * @param senderFault true when retrying the same entry cannot help
 */
public record SendFailure(int index, String code, String message, boolean senderFault) {}
