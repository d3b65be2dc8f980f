package io.consumergraph.job.dryrun;

import java.io.IOException;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in for a sink with an effect outside the job (a dead-letter topic or queue, the load
 * outcomes topic) when the job runs {@code log-only}: logs what would have been sent and counts it
 * ({@code logOnlyRecords}), sends nothing.
 */
public final class LoggingSink<T> implements Sink<T> {

  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(LoggingSink.class);

  private final String what;

  /** {@code what}: the output it replaces, for the log, e.g. "SQS dead letter". */
  public LoggingSink(String what) {
    this.what = what;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    Counter records = context.metricGroup().counter("logOnlyRecords");
    return new SinkWriter<>() {
      @Override
      public void write(T element, Context ctx) {
        records.inc();
        LOG.info("log-only: would send {}: {}", what, element);
      }

      @Override
      public void flush(boolean endOfInput) {}

      @Override
      public void close() {}
    };
  }
}
