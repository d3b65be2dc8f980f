package io.consumergraph.sqs.sink;

import io.consumergraph.sqs.proxy.OutgoingSqsMessage;
import java.io.Serializable;

/** Turns a stream element into the SQS message the sink sends for it. */
@FunctionalInterface
public interface SqsSinkElementConverter<T> extends Serializable {
  OutgoingSqsMessage toMessage(T element);
}
