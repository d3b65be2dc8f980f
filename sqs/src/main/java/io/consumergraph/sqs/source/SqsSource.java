package io.consumergraph.sqs.source;

import io.consumergraph.sqs.proxy.SqsProxyFactory;
import io.consumergraph.sqs.source.config.SqsQueueSpec;
import io.consumergraph.sqs.source.enumerator.SqsEnumeratorState;
import io.consumergraph.sqs.source.enumerator.SqsEnumeratorStateSerializer;
import io.consumergraph.sqs.source.enumerator.SqsSourceEnumerator;
import io.consumergraph.sqs.source.reader.SqsSourceReader;
import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import io.consumergraph.sqs.source.split.SqsQueueSplit;
import io.consumergraph.sqs.source.split.SqsQueueSplitSerializer;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * An unbounded, at-least-once Flink source over one or more SQS queues; build it with {@link
 * #builder()}.
 *
 * <p>Every reader polls every queue (SQS queues are shared work queues), higher-priority queues
 * first. A message is deleted only after the checkpoint that covers its effect completes, so after
 * a failure it is redelivered; downstream de-duplicates by message or request id.
 */
public final class SqsSource<T>
    implements Source<T, SqsQueueSplit, SqsEnumeratorState>, ResultTypeQueryable<T> {

  private static final long serialVersionUID = 1L;

  private final List<SqsQueueSpec> queues;
  private final SqsMessageDeserializer<T> deserializer;
  private final SqsProxyFactory proxyFactory;
  private final Configuration config;

  SqsSource(
      List<SqsQueueSpec> queues,
      SqsMessageDeserializer<T> deserializer,
      SqsProxyFactory proxyFactory,
      Configuration config) {
    this.queues = List.copyOf(queues);
    this.deserializer = deserializer;
    this.proxyFactory = proxyFactory;
    this.config = config;
  }

  public static <T> SqsSourceBuilder<T> builder() {
    return new SqsSourceBuilder<>();
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<T, SqsQueueSplit> createReader(SourceReaderContext readerContext) {
    return new SqsSourceReader<>(readerContext, config, deserializer, proxyFactory.create());
  }

  @Override
  public SplitEnumerator<SqsQueueSplit, SqsEnumeratorState> createEnumerator(
      SplitEnumeratorContext<SqsQueueSplit> enumContext) {
    return new SqsSourceEnumerator(enumContext, queues, null);
  }

  @Override
  public SplitEnumerator<SqsQueueSplit, SqsEnumeratorState> restoreEnumerator(
      SplitEnumeratorContext<SqsQueueSplit> enumContext, SqsEnumeratorState checkpoint) {
    return new SqsSourceEnumerator(enumContext, queues, checkpoint);
  }

  @Override
  public SimpleVersionedSerializer<SqsQueueSplit> getSplitSerializer() {
    return new SqsQueueSplitSerializer();
  }

  @Override
  public SimpleVersionedSerializer<SqsEnumeratorState> getEnumeratorCheckpointSerializer() {
    return new SqsEnumeratorStateSerializer();
  }

  @Override
  public TypeInformation<T> getProducedType() {
    return deserializer.getProducedType();
  }

  public List<SqsQueueSpec> queues() {
    return queues;
  }

  /** A copy of the effective settings (see {@link io.consumergraph.sqs.source.config}). */
  public Configuration config() {
    return new Configuration(config);
  }
}
