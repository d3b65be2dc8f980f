package io.consumergraph.job;

import static io.consumergraph.job.config.JobOptions.*;

import io.consumergraph.flags.FlagDocumentFetcher;
import io.consumergraph.flags.S3Settings;
import io.consumergraph.job.backfill.BackfillPath;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.dryrun.LoggingSink;
import io.consumergraph.job.kafka.DeadLetterSerializer;
import io.consumergraph.job.kafka.LoadOutcomeSerializer;
import io.consumergraph.job.kafka.RejectedUpdateDeadLetters;
import io.consumergraph.job.kafka.SourceRecordDeserializer;
import io.consumergraph.job.kafka.StartingOffsets;
import io.consumergraph.job.live.LivePath;
import io.consumergraph.job.sqs.DeadLetterMessages;
import io.consumergraph.job.sqs.LoadRequestMessages;
import io.consumergraph.job.sqs.SqsSourceRecordDeserializer;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.LoadOutcome;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.backfill.UserHistoryLoader;
import io.consumergraph.operators.flags.FlagUpdateSource;
import io.consumergraph.operators.gate.AutoLoad;
import io.consumergraph.operators.metrics.MetricGroups;
import io.consumergraph.sink.neo4j.Neo4jGraphSink;
import io.consumergraph.sink.neo4j.Neo4jSinkConfig;
import io.consumergraph.sqs.sink.SqsSink;
import io.consumergraph.sqs.source.SqsSource;
import io.consumergraph.sqs.source.SqsSourceBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The main class: reads the configuration, builds the sources and sinks it names and runs the
 * {@link ConsumerGraphTopology}.
 */
public final class ConsumerGraphJob {

  /**
   * Key groups of every keyed operator: part of the savepoint format (state restores only into the
   * same number), and the upper bound of any operator's parallelism. 128 is what Flink derives for
   * jobs below 86 subtasks; set here so a larger deployment does not silently change it.
   */
  public static final int MAX_PARALLELISM = 128;

  private ConsumerGraphJob() {}

  public static void main(String[] args) throws Exception {
    JobConfig config;
    try {
      config = JobConfig.load(args, System.getenv());
      config.get(KAFKA_BOOTSTRAP_SERVERS);
      config.get(FLAGS_LOCATION);
    } catch (IllegalArgumentException e) {
      System.err.println("consumer-graph: " + e.getMessage());
      System.exit(2);
      return;
    }
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(flinkConfiguration(config));
    topology(config, false).build(env);
    env.execute("consumer-graph");
  }

  /**
   * Flink settings the job relies on: RocksDB with incremental checkpoints, exactly-once
   * checkpoints at the configured interval (unaligned once alignment takes longer than {@code
   * checkpoint.aligned-timeout}), and no Kryo fallback.
   */
  public static Configuration flinkConfiguration(JobConfig config) {
    Configuration flink = new Configuration();
    flink.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    flink.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
    flink.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, config.get(CHECKPOINT_INTERVAL));
    flink.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    // A checkpoint starts aligned and goes unaligned when its barriers have not passed within
    // the timeout: under a bulk backlog the barriers would otherwise wait behind every FullLoad
    // queued ahead of the Neo4j sink (the first checkpoint of a 4,000-user backfill took 126 s),
    // and the channels an aligning operator holds back stall what comes after them, enrollments
    // included (benchmarks/README.md, "Enrollment latency").
    flink.set(CheckpointingOptions.ENABLE_UNALIGNED, true);
    flink.set(
        CheckpointingOptions.ALIGNED_CHECKPOINT_TIMEOUT, config.get(ALIGNED_CHECKPOINT_TIMEOUT));
    // In-flight data sized to about a second of throughput instead of a fixed number of 32 KB
    // buffers: FullLoads queued ahead of a busy Neo4j sink delay whatever comes after them (an
    // enrollment's FullLoad) by the time it takes to write them. A task manager setting: it takes
    // effect where the job starts its own cluster (the demo, the tests) and must be set in the
    // cluster's configuration elsewhere (deploy/).
    flink.set(TaskManagerOptions.BUFFER_DEBLOAT_ENABLED, true);
    if (config.get(METRICS_KINESIS_ANALYTICS_GROUP)) {
      flink.set(
          PipelineOptions.GLOBAL_JOB_PARAMETERS,
          Map.of(MetricGroups.PARAMETER, MetricGroups.KINESIS_ANALYTICS));
    }
    flink.set(PipelineOptions.GENERIC_TYPES, false);
    flink.set(PipelineOptions.MAX_PARALLELISM, MAX_PARALLELISM);
    // Records pass between chained operators without a deep copy each time. Safe: every record
    // type is a Java record (ModelTypesTest) and no operator mutates its input (nor the arrays in
    // it); records that cross the network are always freshly deserialized, and the async
    // operators copy their input when reuse is on.
    flink.set(PipelineOptions.OBJECT_REUSE, true);
    return flink;
  }

  /**
   * A dry run deletes nothing and keeps what it holds invisible until it stops: it holds at most
   * this many requests per reader, whatever {@code sqs.max-in-flight} says.
   */
  static final int LOG_ONLY_MAX_IN_FLIGHT = 500;

  /** SQS waits in whole seconds, rounded up: 500 ms must not become a zero-wait poll. */
  public static int wholeSeconds(Duration wait) {
    return (int) ((wait.toMillis() + 999) / 1000);
  }

  /** The topology with the sources and sinks the configuration names. */
  public static ConsumerGraphTopology topology(JobConfig config, boolean bounded) {
    return new ConsumerGraphTopology(
        livePath(config, bounded),
        config.get(SQS_QUEUE_URL).isEmpty()
            ? BackfillPath.none()
            : withAutoLoads(config, backfillPath(config, bounded)),
        graphSink(config),
        config.get(LOG_ONLY) ? new LoggingSink<>("dead letter") : deadLetterSink(config),
        new ConsumerGraphTopology.Settings(
            config.get(LIVE_RETENTION), config.get(SINK_PARALLELISM)));
  }

  /** The live path: the Kafka topics, the flag document, the catalog services. */
  public static LivePath livePath(JobConfig config, boolean bounded) {
    String enrollments = config.get(ENROLLMENTS_TOPIC);
    return new LivePath(
        new LivePath.Inputs(
            kafkaSource(config, config.get(RECEIPTS_TOPIC), bounded),
            kafkaSource(config, config.get(FACTOIDS_TOPIC), bounded),
            flagSource(config, bounded),
            enrollments.isEmpty()
                ? Optional.empty()
                : Optional.of(kafkaSource(config, enrollments, bounded))),
        UpstreamCatalog.factory(UpstreamCatalog.config(config)),
        new LivePath.Settings(
            config.get(FLAGS_ID_LIST_GRACE),
            config.get(DEDUP_TTL),
            config.get(UPSTREAM_TIMEOUT),
            config.get(UPSTREAM_MAX_RETRIES),
            config.get(ENRICH_CAPACITY),
            config.get(LOG_ONLY),
            config.get(REWIND_GENERATION),
            autoLoads(config)
                ? new AutoLoad.Settings(
                    true, config.get(AUTO_LOAD_LOOKBACK_DAYS), config.get(AUTO_LOAD_MARK_TTL))
                : AutoLoad.Settings.off(),
            config.get(FLAGS_KILLSWITCH_RELEASE_BATCH)));
  }

  /** Whether the gate asks for the loads of newly enabled users: needs a backfill queue. */
  static boolean autoLoads(JobConfig config) {
    return config.get(AUTO_LOAD) && !config.get(SQS_QUEUE_URL).isEmpty();
  }

  /** The backfill path, sending the gate's auto-load requests to the bulk queue if on. */
  static BackfillPath withAutoLoads(JobConfig config, BackfillPath path) {
    if (!autoLoads(config)) {
      return path;
    }
    return path.withAutoLoads(
        new BackfillPath.AutoLoadOutput(
            config.get(LOG_ONLY)
                ? new LoggingSink<>("auto-load request")
                : loadRequestSink(config, config.get(SQS_QUEUE_URL)),
            config.get(AUTO_LOAD_RATE)));
  }

  /** The bulk queue, for the requests the job makes itself. */
  public static SqsSink<UserLoadRequest> loadRequestSink(JobConfig config, String queueUrl) {
    String endpoint = config.get(SQS_ENDPOINT);
    return SqsSink.<UserLoadRequest>builder()
        .queueUrl(queueUrl)
        .region(config.get(SQS_REGION))
        .endpoint(endpoint.isEmpty() ? null : URI.create(endpoint))
        .elementConverter(new LoadRequestMessages())
        .messageKind("LoadRequest")
        .metricGroup(metricGroup(config))
        .build();
  }

  /**
   * The backfill path: SQS requests (enrollment queue first), outcome feedback through Kafka, the
   * SQS dead-letter queue, history loads from the upstream services.
   */
  public static BackfillPath backfillPath(JobConfig config, boolean bounded) {
    String deadLetterQueue = config.get(SQS_DEAD_LETTER_QUEUE_URL);
    if (deadLetterQueue.isEmpty()) {
      throw new IllegalArgumentException(
          "sqs.queue-url is set but sqs.dead-letter-queue-url is not: invalid requests and"
              + " failed loads need somewhere to go");
    }
    int perPoll = config.get(SQS_MAX_MESSAGES_PER_POLL);
    if (perPoll < 1 || perPoll > 10) {
      throw new IllegalArgumentException(
          SQS_MAX_MESSAGES_PER_POLL.key()
              + " must be between 1 and 10 (what one SQS ReceiveMessage call returns), got "
              + perPoll);
    }
    String endpoint = config.get(SQS_ENDPOINT);
    String enrollmentQueue = config.get(SQS_ENROLLMENT_QUEUE_URL);
    SqsSourceBuilder<SourceRecord> requests =
        SqsSource.<SourceRecord>builder()
            .queue(config.get(SQS_QUEUE_URL), SqsSourceBuilder.PRIORITY_LOW)
            .deserializer(new SqsSourceRecordDeserializer())
            .region(config.get(SQS_REGION))
            .visibilityTimeout(config.get(SQS_VISIBILITY_TIMEOUT))
            .waitTimeSeconds(wholeSeconds(config.get(SQS_WAIT_TIME)))
            .severalQueuesWaitTimeSeconds(wholeSeconds(config.get(SQS_SEVERAL_QUEUES_WAIT_TIME)))
            .maxMessagesPerPoll(perPoll)
            .maxInFlight(
                config.get(LOG_ONLY)
                    ? Math.min(config.get(SQS_MAX_IN_FLIGHT), LOG_ONLY_MAX_IN_FLIGHT)
                    : config.get(SQS_MAX_IN_FLIGHT))
            .keepMessages(config.get(LOG_ONLY))
            .metricGroup(metricGroup(config));
    if (!enrollmentQueue.isEmpty()) {
      requests.queue(enrollmentQueue, SqsSourceBuilder.PRIORITY_HIGH);
    }
    if (!endpoint.isEmpty()) {
      requests.endpoint(URI.create(endpoint));
    }
    int maxRetries = config.get(LOAD_MAX_RETRIES);
    return new BackfillPath(
        new BackfillPath.Inputs(
            requests.build(),
            enrollmentQueue,
            kafkaSource(config, config.get(LOAD_OUTCOMES_TOPIC), bounded)),
        new BackfillPath.Outputs(
            config.get(LOG_ONLY) ? new LoggingSink<>("load outcome") : outcomeSink(config),
            config.get(LOG_ONLY)
                ? new LoggingSink<>("SQS dead letter")
                : requestDeadLetterSink(config, deadLetterQueue)),
        new UserHistoryLoader(UpstreamCatalog.config(config), maxRetries),
        new BackfillPath.Settings(
            config.get(LOADED_TTL),
            config.get(LOAD_IN_FLIGHT_TIMEOUT),
            maxRetries,
            config.get(LOAD_CONCURRENCY),
            config.get(LOAD_TIMEOUT)));
  }

  /**
   * The SQS dead-letter queue of invalid requests and failed loads. It takes the source's endpoint
   * and credential chain: an SQS-compatible server takes any credentials.
   */
  public static SqsSink<DeadLetter> requestDeadLetterSink(JobConfig config, String queueUrl) {
    String endpoint = config.get(SQS_ENDPOINT);
    return SqsSink.<DeadLetter>builder()
        .queueUrl(queueUrl)
        .region(config.get(SQS_REGION))
        .endpoint(endpoint.isEmpty() ? null : URI.create(endpoint))
        .elementConverter(new DeadLetterMessages())
        .messageKind("DeadLetter")
        .metricGroup(metricGroup(config))
        .build();
  }

  /**
   * A topic as raw records. {@code bounded} stops at the offsets that are latest when the job
   * starts (tests and one-off replays).
   */
  public static KafkaSource<SourceRecord> kafkaSource(
      JobConfig config, String topic, boolean bounded) {
    KafkaSourceBuilder<SourceRecord> builder =
        KafkaSource.<SourceRecord>builder()
            .setBootstrapServers(config.get(KAFKA_BOOTSTRAP_SERVERS))
            .setTopics(topic)
            .setGroupId(config.get(GROUP_ID))
            .setStartingOffsets(StartingOffsets.parse(config.get(START_FROM)))
            .setDeserializer(new SourceRecordDeserializer())
            // A log-only run leaves the group's offsets where they were.
            .setProperty("commit.offsets.on.checkpoint", Boolean.toString(!config.get(LOG_ONLY)))
            // Records of open or aborted transactions (the outcome sink's, or a producer's
            // upstream) are never read.
            .setProperty("isolation.level", "read_committed")
            .setProperty("partition.discovery.interval.ms", "60000");
    if (bounded) {
      builder.setBounded(OffsetsInitializer.latest());
    }
    return builder.build();
  }

  /**
   * The flag source. A bounded job polls once: enough for tests and replays, which have a fixed
   * document.
   */
  public static FlagUpdateSource flagSource(JobConfig config, boolean bounded) {
    String endpoint = config.get(FLAGS_S3_ENDPOINT);
    S3Settings s3 =
        endpoint.isEmpty()
            ? S3Settings.defaults()
            : new S3Settings(null, URI.create(endpoint), true, null, null, Duration.ofSeconds(30));
    String location = config.get(FLAGS_LOCATION);
    FlagDocumentFetcher.Settings fetcher =
        new FlagDocumentFetcher.Settings(Duration.ofSeconds(10), s3);
    return (bounded
            ? FlagUpdateSource.once(location, fetcher)
            : FlagUpdateSource.continuous(location, fetcher, config.get(FLAGS_POLL_INTERVAL)))
        .withMetricGroup(metricGroup(config));
  }

  /**
   * The group the job's own metrics go under in sources and sinks (operators read it from the job
   * parameters, see MetricGroups): KinesisAnalytics on Managed Flink, none elsewhere.
   */
  static String metricGroup(JobConfig config) {
    return config.get(METRICS_KINESIS_ANALYTICS_GROUP) ? MetricGroups.KINESIS_ANALYTICS : "";
  }

  /**
   * Load outcomes, exactly once: an outcome becomes visible (the outcome source reads committed
   * records only) when the checkpoint that covers its FullLoad completes, and by then the graph
   * sink has flushed that FullLoad to Neo4j. So a user is never marked loaded for a FullLoad that a
   * failure took back. The transactional ids derive from the consumer group, one prefix per job.
   */
  public static KafkaSink<LoadOutcome> outcomeSink(JobConfig config) {
    return KafkaSink.<LoadOutcome>builder()
        .setBootstrapServers(config.get(KAFKA_BOOTSTRAP_SERVERS))
        .setRecordSerializer(new LoadOutcomeSerializer(config.get(LOAD_OUTCOMES_TOPIC)))
        .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
        .setTransactionalIdPrefix(config.get(GROUP_ID) + "-load-outcomes")
        // Within the broker's transaction.max.timeout.ms (15 min by default) and well above a
        // checkpoint's duration plus a restart.
        .setProperty(
            "transaction.timeout.ms", Long.toString(OUTCOME_TRANSACTION_TIMEOUT.toMillis()))
        .build();
  }

  static final Duration OUTCOME_TRANSACTION_TIMEOUT = Duration.ofMinutes(15);

  public static KafkaSink<DeadLetter> deadLetterSink(JobConfig config) {
    return KafkaSink.<DeadLetter>builder()
        .setBootstrapServers(config.get(KAFKA_BOOTSTRAP_SERVERS))
        .setRecordSerializer(new DeadLetterSerializer(config.get(DEAD_LETTER_TOPIC)))
        .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
        .build();
  }

  /**
   * The graph sink. The password is not put into the job: with a user set, the writer reads {@code
   * NEO4J_PASSWORD} from its own environment on the task manager.
   */
  public static Neo4jGraphSink graphSink(JobConfig config) {
    String user = config.get(NEO4J_USER);
    Neo4jSinkConfig sink =
        (user.isEmpty()
                ? Neo4jSinkConfig.withoutAuth(URI.create(config.get(NEO4J_URI)))
                : Neo4jSinkConfig.of(URI.create(config.get(NEO4J_URI)), user, null))
            .withDatabase(config.get(NEO4J_DATABASE))
            .withBatchRows(config.get(NEO4J_BATCH_ROWS))
            .withMaxBatchDelay(config.get(NEO4J_MAX_BATCH_DELAY))
            .withMaxRetries(config.get(NEO4J_MAX_RETRIES))
            .withUnavailableTimeout(config.get(NEO4J_UNAVAILABLE_TIMEOUT))
            .withTransactionTimeout(config.get(NEO4J_TRANSACTION_TIMEOUT))
            .withLogOnly(config.get(LOG_ONLY));
    return new Neo4jGraphSink(
            sink,
            new RejectedUpdateDeadLetters(
                config.get(KAFKA_BOOTSTRAP_SERVERS), config.get(DEAD_LETTER_TOPIC)))
        .withMetricGroup(metricGroup(config));
  }
}
