package io.consumergraph.sqs.proxy;

import io.consumergraph.sqs.source.serialization.SqsMessage;

/** A message as received: what the deserializer sees plus the handle to delete or extend it. */
public record ReceivedSqsMessage(SqsMessage message, String receiptHandle) {}
