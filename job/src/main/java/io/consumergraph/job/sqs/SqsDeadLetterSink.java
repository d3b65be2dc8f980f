package io.consumergraph.job.sqs;

import io.consumergraph.model.DeadLetter;
import java.io.IOException;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Flink sink that sends {@link DeadLetter}s to an SQS queue (the request dead-letter queue): the
 * original payload as the message body, reason, detail, source and failure time as message
 * attributes, in SendMessageBatch calls of up to 10.
 *
 * <p>Every buffered letter is sent when a checkpoint starts ({@code flush}), so a checkpoint only
 * completes once the dead letters it covers are in the queue; together with the SQS source deleting
 * a request only after that checkpoint, a request is never lost between the two queues. Failed
 * entries are retried with bounded backoff; a letter that cannot be sent fails the job with a clear
 * message instead of being dropped.
 */
public final class SqsDeadLetterSink implements Sink<DeadLetter> {

  private static final long serialVersionUID = 1L;

  private final SqsDeadLetterSettings settings;

  public SqsDeadLetterSink(SqsDeadLetterSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public SqsDeadLetterSettings settings() {
    return settings;
  }

  @Override
  public SinkWriter<DeadLetter> createWriter(WriterInitContext context) throws IOException {
    return new SqsDeadLetterWriter(
        settings,
        settings.createClient(),
        context.getProcessingTimeService(),
        context.metricGroup());
  }
}
