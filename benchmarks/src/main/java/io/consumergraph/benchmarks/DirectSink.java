package io.consumergraph.benchmarks;

import io.consumergraph.model.GraphUpdate;
import io.consumergraph.sink.neo4j.Neo4jGraphSink;
import java.lang.reflect.Proxy;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;

/**
 * Drives the sink's writer the way Flink's sink operator does under full load, without Flink:
 * {@code write} per update (batches go out by size), then {@code flush} at the end of input. Timers
 * never fire here, on purpose: at full load every batch is size-triggered, and a timer thread would
 * call into the single-threaded writer concurrently.
 */
final class DirectSink {

  private DirectSink() {}

  static SinkWriter<GraphUpdate> open(Neo4jGraphSink sink) throws Exception {
    ProcessingTimeService time =
        (ProcessingTimeService)
            Proxy.newProxyInstance(
                DirectSink.class.getClassLoader(),
                new Class<?>[] {ProcessingTimeService.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getCurrentProcessingTime" -> System.currentTimeMillis();
                      case "registerTimer" -> null; // the writer ignores the returned future
                      default -> throw new UnsupportedOperationException(method.getName());
                    });
    SinkWriterMetricGroup metrics = UnregisteredMetricsGroup.createSinkWriterMetricGroup();
    // Only the two members the writer uses; anything else fails loudly instead of lying.
    WriterInitContext context =
        (WriterInitContext)
            Proxy.newProxyInstance(
                DirectSink.class.getClassLoader(),
                new Class<?>[] {WriterInitContext.class},
                (proxy, method, args) ->
                    switch (method.getName()) {
                      case "getProcessingTimeService" -> time;
                      case "metricGroup" -> metrics;
                      default -> throw new UnsupportedOperationException(method.getName());
                    });
    return sink.createWriter(context);
  }

  /** The context of every write here: no watermark, no timestamp. */
  static final SinkWriter.Context CONTEXT =
      new SinkWriter.Context() {
        @Override
        public long currentWatermark() {
          return Long.MIN_VALUE;
        }

        @Override
        public Long timestamp() {
          return null;
        }
      };

  static void write(Neo4jGraphSink sink, SyntheticReceipts data, long nowMs) throws Exception {
    try (SinkWriter<GraphUpdate> writer = open(sink)) {
      for (SyntheticReceipts.Receipt receipt : data.deliveries()) {
        writer.write(data.update(receipt, nowMs), CONTEXT);
      }
      writer.flush(true);
    }
  }
}
