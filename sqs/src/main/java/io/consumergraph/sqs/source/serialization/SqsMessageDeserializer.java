package io.consumergraph.sqs.source.serialization;

import java.io.IOException;
import java.io.Serializable;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.util.Collector;

/**
 * Turns an SQS message into zero or more records.
 *
 * <p>The source never fails on a bad body: the deserializer decides what an invalid body becomes
 * (the job emits it as a dead letter). A message that yields no record is still deleted once the
 * checkpoint after it completes. An exception thrown here fails the task and the message is
 * redelivered, so throw only for bugs, never for bad input.
 */
public interface SqsMessageDeserializer<T> extends Serializable, ResultTypeQueryable<T> {

  /** Called once per reader before the first message. */
  default void open(DeserializationSchema.InitializationContext context) throws Exception {}

  void deserialize(SqsMessage message, Collector<T> out) throws IOException;

  /** A deserializer that emits the body as it is. */
  static SqsMessageDeserializer<String> bodyAsString() {
    return new SqsMessageDeserializer<>() {
      @Override
      public void deserialize(SqsMessage message, Collector<String> out) {
        out.collect(message.body());
      }

      @Override
      public TypeInformation<String> getProducedType() {
        return Types.STRING;
      }
    };
  }
}
