package io.consumergraph.benchmarks;

import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.job.ConsumerGraphJob;
import io.consumergraph.job.config.EmbeddedStackConfig;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.simulator.UpstreamSimulator;
import io.consumergraph.upstream.UpstreamEndpoints;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.runtime.jobgraph.JobGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * The whole pipeline on the benchmark's data: the receipts are produced once to an embedded Kafka
 * topic, and each run is the production topology ({@code ConsumerGraphJob.topology(config, true)},
 * bounded at the latest offsets) with a new consumer group, so every run reads the same records
 * with fresh keyed state.
 *
 * <p>Every run is a job on one MiniCluster started with the first, as jobs come and go on a
 * long-lived cluster in production. A MiniCluster per run would load Flink's RPC system (Pekko, in
 * a class loader of its own) anew each time, and the JIT would spend seconds per run compiling it
 * again: that measured cluster start-up, not the pipeline.
 */
final class Pipeline implements AutoCloseable {

  /** The measured receipts; the untimed warm-up's are on a topic of their own. */
  static final String TOPIC = "bench-receipts";

  static final String WARMUP_TOPIC = "bench-receipts-warmup";

  /** A run's timing and the Flink metrics captured at its end. */
  /**
   * One run: Flink's net job runtime (deploy and start-up included), the wall time, and the time
   * between 10% and 90% of the expected graph updates being written (the steady state, without
   * start-up and the last batch; 0 if the sink's counter never got there).
   */
  record Run(
      double netSeconds, double wallSeconds, double steadySeconds, Map<String, Double> metrics) {}

  private final EmbeddedKafka kafka;
  private final URI neo4j;
  private final UpstreamSimulator upstream;
  private final BenchmarkOptions options;
  private final Path flags;
  private int runs;
  private boolean sharedTopics;
  private MiniCluster cluster;

  Pipeline(EmbeddedKafka kafka, URI neo4j, UpstreamSimulator upstream, BenchmarkOptions options)
      throws Exception {
    this.kafka = kafka;
    this.neo4j = neo4j;
    this.upstream = upstream;
    this.options = options;
    this.flags = Files.createTempFile("bench-flags", ".yaml");
    Files.writeString(
        flags, "flags:\n  consumer_graph_ingestion: { enabled: true, rollout: 100 }\n");
  }

  /**
   * Produces every delivery (re-sends included) to {@code topic}, keyed by user as the receipt
   * topic is.
   */
  void produce(String topic, SyntheticReceipts data, long nowMs) throws Exception {
    if (!sharedTopics) {
      kafka.createTopic(TOPIC + "-factoids", 1);
      kafka.createTopic(TOPIC + "-dead-letters", 1);
      sharedTopics = true;
    }
    kafka.createTopic(topic, options.partitions());
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (SyntheticReceipts.Receipt r : data.deliveries()) {
        producer.send(
            new ProducerRecord<>(
                topic,
                r.userId().getBytes(StandardCharsets.UTF_8),
                data.event(r, nowMs).toByteArray()));
      }
      producer.flush();
    }
  }

  /** Runs the job over {@code topic} until its latest offsets; the graph gets expectedUpdates. */
  Run run(String topic, long expectedUpdates) throws Exception {
    // Purchase History and BTS stay at their defaults: the benchmark configures no backfill.
    Configuration c =
        EmbeddedStackConfig.withoutBackfillServices(
            kafka.bootstrapServers(), neo4j, UpstreamEndpoints.onOneHost(upstream.baseUri()));
    c.set(JobOptions.RECEIPTS_TOPIC, topic);
    c.set(JobOptions.FACTOIDS_TOPIC, TOPIC + "-factoids");
    c.set(JobOptions.DEAD_LETTER_TOPIC, TOPIC + "-dead-letters");
    c.set(JobOptions.FLAGS_LOCATION, flags.toString());
    c.set(JobOptions.GROUP_ID, "bench-" + System.nanoTime() + "-" + runs++);
    c.set(JobOptions.CHECKPOINT_INTERVAL, options.checkpointInterval());
    // A loaded build machine can stall a request past the 2 s default (the simulator answers at
    // once otherwise); enrichment that gave up would write purchases without their categories and
    // fail the graph check. The timeout changes nothing while requests are answered.
    c.set(JobOptions.UPSTREAM_TIMEOUT, Duration.ofSeconds(10));
    // Everything else stays at the job's defaults: those are what is being measured. Overrides
    // come from --set key=value.
    options.jobSettings().forEach(c::setString);
    JobConfig config = JobConfig.of(c);

    Configuration flink = ConsumerGraphJob.flinkConfiguration(config);
    flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 4);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    flink.setString(
        "metrics.reporter.bench.factory.class", CapturingReporter.Factory.class.getName());
    flink.setString("metrics.reporter.live.factory.class", LiveMetrics.Factory.class.getName());
    if (cluster == null) {
      cluster =
          new MiniCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(flink)
                  .setNumTaskManagers(1)
                  .setNumSlotsPerTaskManager(4)
                  .build());
      cluster.start();
    }
    // The environment only builds the job graph; the job runs on the shared cluster.
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(options.parallelism());
    ConsumerGraphJob.topology(config, true).build(env);
    StreamGraph graph = env.getStreamGraph();
    graph.setJobName("consumer-graph-benchmark");
    JobGraph job = graph.getJobGraph();
    CapturingReporter.drain();
    long[] crossed = new long[2];
    Thread sampler =
        new Thread(
            () -> {
              // The sink counts the updates of each batch once it has committed.
              while (crossed[1] == 0 && !Thread.currentThread().isInterrupted()) {
                double written = LiveMetrics.sum("neo4jUpdates");
                long now = System.nanoTime();
                if (crossed[0] == 0 && written >= 0.1 * expectedUpdates) {
                  crossed[0] = now;
                }
                if (written >= 0.9 * expectedUpdates) {
                  crossed[1] = now;
                }
                try {
                  Thread.sleep(5);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "steady-state-sampler");
    sampler.setDaemon(true);
    long started = System.nanoTime();
    sampler.start();
    JobExecutionResult result;
    try {
      result = cluster.executeJobBlocking(job);
    } finally {
      sampler.interrupt();
      sampler.join();
    }
    double wall = (System.nanoTime() - started) / 1e9;
    double steady = crossed[0] > 0 && crossed[1] > crossed[0] ? (crossed[1] - crossed[0]) / 1e9 : 0;
    // Metrics are removed when the tasks and the job finish, just before execute returns.
    Thread.sleep(200);
    return new Run(result.getNetRuntime() / 1000.0, wall, steady, CapturingReporter.drain());
  }

  @Override
  public void close() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  static Duration seconds(double s) {
    return Duration.ofMillis((long) (s * 1000));
  }
}
