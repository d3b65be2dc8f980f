package io.consumergraph.job.testing;

import io.consumergraph.job.ConsumerGraphJob;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.model.GraphUpdate;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole job, unbounded, on an {@link EmbeddedStack}: its own topics ({@code job}-receipts,
 * -factoids, -outcomes, -dead), consumer group and SQS queues, every user enabled, and a restart
 * strategy that recovers from whatever a test injects.
 */
public final class RestartingJob {

  private RestartingJob() {}

  /**
   * Starts the job named {@code job}, its graph sink wrapped by {@code graphSink}; {@code
   * overrides} are applied last.
   */
  public static JobClient start(
      EmbeddedStack stack,
      String job,
      String bulkQueue,
      String deadLetterQueue,
      Path flagDir,
      Configuration overrides,
      UnaryOperator<Sink<GraphUpdate>> graphSink)
      throws Exception {
    String topics = job + "-";
    for (String topic : List.of("receipts", "factoids", "outcomes", "dead")) {
      stack.kafka().createTopic(topics + topic, 1);
    }
    Configuration c = EmbeddedJobConfig.of(stack.kafka(), stack.neo4j(), stack.upstream());
    c.set(JobOptions.RECEIPTS_TOPIC, topics + "receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, topics + "factoids");
    c.set(JobOptions.LOAD_OUTCOMES_TOPIC, topics + "outcomes");
    c.set(JobOptions.DEAD_LETTER_TOPIC, topics + "dead");
    c.set(JobOptions.GROUP_ID, job + "-" + UUID.randomUUID());
    c.set(JobOptions.FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(flagDir).toString());
    c.set(JobOptions.SQS_QUEUE_URL, bulkQueue);
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, deadLetterQueue);
    c.set(JobOptions.SQS_ENDPOINT, stack.sqs().endpoint().toString());
    c.set(JobOptions.SQS_VISIBILITY_TIMEOUT, Duration.ofSeconds(20));
    c.set(JobOptions.PURCHASE_HISTORY_RATE, 1000.0);
    c.addAll(overrides);
    JobConfig config = JobConfig.of(c);
    Configuration flink = ConsumerGraphJob.flinkConfiguration(config);
    flink.setString("restart-strategy.type", "fixed-delay");
    flink.setString("restart-strategy.fixed-delay.attempts", "1000");
    flink.setString("restart-strategy.fixed-delay.delay", "500 ms");
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(2);
    ConsumerGraphJob.topology(config, false)
        .withGraphSink(graphSink.apply(ConsumerGraphJob.graphSink(config)))
        .build(env);
    return env.executeAsync(job);
  }
}
