package io.consumergraph.sqs.source.testing;

import io.consumergraph.sqs.source.serialization.SqsMessage;
import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.util.Collector;

/** Emits {@code body#receiveCount}, so a test sees which deliveries were redeliveries. */
public final class ReceiveCountDeserializer implements SqsMessageDeserializer<String> {

  public static String body(String record) {
    return record.substring(0, record.lastIndexOf('#'));
  }

  public static int receiveCount(String record) {
    return Integer.parseInt(record.substring(record.lastIndexOf('#') + 1));
  }

  @Override
  public void deserialize(SqsMessage message, Collector<String> out) {
    out.collect(message.body() + "#" + message.receiveCount());
  }

  @Override
  public TypeInformation<String> getProducedType() {
    return Types.STRING;
  }
}
