package io.consumergraph.job.config;

import io.consumergraph.sink.neo4j.Neo4jSinkConfig;
import io.consumergraph.sqs.source.config.SqsSourceOptions;
import io.consumergraph.upstream.UpstreamConfig;
import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Every setting of the job, typed and documented in one place. Defaults are production-safe; the
 * embedded stack overrides what it must. Each key can also be set by the environment variable
 * {@code CONSUMER_GRAPH_<KEY>} (upper case, '.' and '-' as '_'); secrets only come from the
 * environment.
 */
public final class JobOptions {

  private JobOptions() {}

  public static final ConfigOption<String> KAFKA_BOOTSTRAP_SERVERS =
      ConfigOptions.key("kafka.bootstrap-servers")
          .stringType()
          .noDefaultValue()
          .withDescription("Kafka bootstrap servers of the receipt and factoid topics.");

  public static final ConfigOption<String> RECEIPTS_TOPIC =
      ConfigOptions.key("kafka.receipts.topic")
          .stringType()
          .defaultValue("pipeline-v1-processed-receipt-events")
          .withDescription("Topic of raw-protobuf ProcessedReceiptEvent records.");

  public static final ConfigOption<String> FACTOIDS_TOPIC =
      ConfigOptions.key("kafka.factoids.topic")
          .stringType()
          .defaultValue("factoid-stream")
          .withDescription("Topic of schema-registry framed Factoid records.");

  public static final ConfigOption<String> ENROLLMENTS_TOPIC =
      ConfigOptions.key("kafka.enrollments.topic")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Topic of experiment enrollments, JSON {\"user_id\": ..., \"enrolled\": true};"
                  + " empty = no enrollment topic.");

  public static final ConfigOption<String> FLAGS_LOCATION =
      ConfigOptions.key("flags.location")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "The ingestion flag document: a local path, an http(s) URL or an s3://bucket/key"
                  + " URI (format: flags/README.md). Live events wait until it has loaded once.");

  public static final ConfigOption<Duration> FLAGS_POLL_INTERVAL =
      ConfigOptions.key("flags.poll-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "How often the flag document is polled; a killswitch acts within one interval.");

  public static final ConfigOption<Integer> FLAGS_KILLSWITCH_RELEASE_BATCH =
      ConfigOptions.key("flags.killswitch.release-batch")
          .intType()
          .defaultValue(2_000)
          .withDescription(
              "Once a killswitch is turned off, each gate subtask releases what it held in batches"
                  + " of this many purchases, one batch a second, so a long hold drains at a"
                  + " bounded rate with checkpoints between batches.");

  public static final ConfigOption<Duration> FLAGS_ID_LIST_GRACE =
      ConfigOptions.key("flags.id-list-grace")
          .durationType()
          .defaultValue(Duration.ofSeconds(60))
          .withDescription(
              "After an id list version becomes current, a purchase the flag would drop while its"
                  + " user lacks that version waits this long for the membership to arrive (the"
                  + " members travel apart from the snapshot) before it is dropped.");

  public static final ConfigOption<String> FLAGS_S3_ENDPOINT =
      ConfigOptions.key("flags.s3.endpoint")
          .stringType()
          .defaultValue("")
          .withDescription(
              "S3-compatible endpoint for s3:// flag locations (path-style); empty = AWS with the"
                  + " default region and credentials chains.");

  public static final ConfigOption<String> GROUP_ID =
      ConfigOptions.key("kafka.group-id")
          .stringType()
          .defaultValue("consumer-graph")
          .withDescription("Consumer group; offsets are committed on checkpoint completion.");

  public static final ConfigOption<String> START_FROM =
      ConfigOptions.key("kafka.start-from")
          .stringType()
          .defaultValue("committed")
          .withDescription(
              "Where a job without state starts reading: committed (falls back to earliest),"
                  + " earliest, latest or timestamp:<epochMs>. A job restored from a savepoint"
                  + " resumes from the offsets in the savepoint, unless kafka.rewind-generation"
                  + " changed.");

  public static final ConfigOption<Integer> REWIND_GENERATION =
      ConfigOptions.key("kafka.rewind-generation")
          .intType()
          .defaultValue(0)
          .withDescription(
              "Raise it (with --allowNonRestoredState) to restore a savepoint but re-read the"
                  + " receipts, factoids and enrollments topics from kafka.start-from: their"
                  + " sources get new uids, so their saved offsets are dropped while every other"
                  + " state (dedup ids, gate, loaded marks, load outcomes' offsets) is kept.");

  public static final ConfigOption<String> DEAD_LETTER_TOPIC =
      ConfigOptions.key("kafka.dead-letter.topic")
          .stringType()
          .defaultValue("consumer-graph-dead-letters")
          .withDescription(
              "Topic that receives undecodable or invalid records, with the reason and source"
                  + " coordinates in headers and the original bytes as value.");

  public static final ConfigOption<String> NEO4J_URI =
      ConfigOptions.key("neo4j.uri")
          .stringType()
          .defaultValue("neo4j://localhost:7687")
          .withDescription("Bolt URI of the Neo4j server.");

  public static final ConfigOption<String> NEO4J_USER =
      ConfigOptions.key("neo4j.user")
          .stringType()
          .defaultValue("neo4j")
          .withDescription("Neo4j user.");

  public static final ConfigOption<String> NEO4J_DATABASE =
      ConfigOptions.key("neo4j.database")
          .stringType()
          .defaultValue("neo4j")
          .withDescription("Neo4j database name.");

  public static final ConfigOption<Integer> NEO4J_BATCH_ROWS =
      ConfigOptions.key("neo4j.batch-rows")
          .intType()
          .defaultValue(1500)
          .withDescription("Item rows per write transaction (1-2K is the measured sweet spot).");

  public static final ConfigOption<Duration> NEO4J_MAX_BATCH_DELAY =
      ConfigOptions.key("neo4j.max-batch-delay")
          .durationType()
          .defaultValue(Duration.ofMillis(200))
          .withDescription("Longest time a buffered update waits before its batch is written.");

  public static final ConfigOption<Integer> NEO4J_MAX_RETRIES =
      ConfigOptions.key("neo4j.max-retries")
          .intType()
          .defaultValue(8)
          .withDescription("Retries of a batch on transient errors (deadlock, lock timeout).");

  public static final ConfigOption<Duration> NEO4J_UNAVAILABLE_TIMEOUT =
      ConfigOptions.key("neo4j.unavailable-timeout")
          .durationType()
          .defaultValue(Neo4jSinkConfig.DEFAULT_UNAVAILABLE_TIMEOUT)
          .withDescription(
              "How long the sink keeps retrying (backing off up to 10 s) while Neo4j cannot be"
                  + " reached (restart, failover) before the job fails and restarts.");

  public static final ConfigOption<Duration> NEO4J_TRANSACTION_TIMEOUT =
      ConfigOptions.key("neo4j.transaction-timeout")
          .durationType()
          .defaultValue(Neo4jSinkConfig.DEFAULT_TRANSACTION_TIMEOUT)
          .withDescription("Server-side limit of one batch transaction (a stuck server).");

  public static final ConfigOption<Integer> SINK_PARALLELISM =
      ConfigOptions.key("neo4j.sink-parallelism")
          .intType()
          .defaultValue(1)
          .withDescription(
              "Writers to Neo4j. One is right on small servers: parallel writers share product"
                  + " and retailer nodes and deadlock.");

  public static final ConfigOption<String> PRODUCT_URL =
      ConfigOptions.key("upstream.product.url")
          .stringType()
          .defaultValue("http://localhost:8090/fps")
          .withDescription("Base URL of the FIDO product service (FPS).");

  public static final ConfigOption<Duration> PRODUCT_BATCH_DELAY =
      ConfigOptions.key("upstream.product.batch-delay")
          .durationType()
          .defaultValue(UpstreamConfig.defaults().productBatchDelay())
          .withDescription(
              "How long a product missing from the cache waits for the misses of other purchases"
                  + " to share one FPS batchGet (100 FIDOs at most; a full batch goes at once)."
                  + " 0 sends each purchase's misses on their own.");

  public static final ConfigOption<String> CATEGORY_URL =
      ConfigOptions.key("upstream.category.url")
          .stringType()
          .defaultValue("http://localhost:8090/category")
          .withDescription("Base URL of the category service.");

  public static final ConfigOption<String> RETAILER_URL =
      ConfigOptions.key("upstream.retailer.url")
          .stringType()
          .defaultValue("http://localhost:8090/retailer")
          .withDescription("Base URL of the retailer service.");

  public static final ConfigOption<String> PURCHASE_HISTORY_URL =
      ConfigOptions.key("upstream.purchase-history.url")
          .stringType()
          .defaultValue("http://localhost:8090/purchase-history")
          .withDescription("Base URL of the Purchase History API.");

  public static final ConfigOption<String> BTS_URL =
      ConfigOptions.key("upstream.bts.url")
          .stringType()
          .defaultValue("http://localhost:8090")
          .withDescription("Base URL of the Button Transaction Service (BTS).");

  public static final ConfigOption<Duration> UPSTREAM_TIMEOUT =
      ConfigOptions.key("upstream.timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(2))
          .withDescription("Timeout of one upstream HTTP request.");

  public static final ConfigOption<Integer> UPSTREAM_MAX_RETRIES =
      ConfigOptions.key("upstream.max-retries")
          .intType()
          .defaultValue(3)
          .withDescription("Retries of an enrichment whose upstream calls failed (bounded).");

  public static final ConfigOption<Integer> ENRICH_CAPACITY =
      ConfigOptions.key("upstream.max-concurrent-requests")
          .intType()
          .defaultValue(100)
          .withDescription("Purchases in enrichment at once per subtask (async I/O capacity).");

  public static final ConfigOption<String> SQS_QUEUE_URL =
      ConfigOptions.key("sqs.queue-url")
          .stringType()
          .defaultValue("")
          .withDescription(
              "The bulk backfill queue of user_load_request messages; empty = no backfill input.");

  public static final ConfigOption<String> SQS_ENROLLMENT_QUEUE_URL =
      ConfigOptions.key("sqs.enrollment-queue-url")
          .stringType()
          .defaultValue("")
          .withDescription(
              "The enrollment queue: served ahead of the bulk queue; a request from it also"
                  + " enrolls the user in the experiment (an alternative gate).");

  public static final ConfigOption<String> SQS_DEAD_LETTER_QUEUE_URL =
      ConfigOptions.key("sqs.dead-letter-queue-url")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Where invalid requests and loads that failed after their last retry go, with the"
                  + " reason in message attributes. Required with sqs.queue-url.");

  public static final ConfigOption<String> SQS_REGION =
      ConfigOptions.key("sqs.region")
          .stringType()
          .defaultValue("us-east-1")
          .withDescription("AWS region of the queues.");

  public static final ConfigOption<String> SQS_ENDPOINT =
      ConfigOptions.key("sqs.endpoint")
          .stringType()
          .defaultValue("")
          .withDescription("SQS-compatible endpoint (ElasticMQ); empty = AWS.");

  public static final ConfigOption<Duration> SQS_VISIBILITY_TIMEOUT =
      ConfigOptions.key("sqs.visibility-timeout")
          .durationType()
          .defaultValue(SqsSourceOptions.VISIBILITY_TIMEOUT.defaultValue())
          .withDescription(
              "Visibility timeout of received requests; extended while a request is in flight.");

  public static final ConfigOption<Duration> SQS_WAIT_TIME =
      ConfigOptions.key("sqs.wait-time")
          .durationType()
          .defaultValue(Duration.ofSeconds(SqsSourceOptions.WAIT_TIME_SECONDS.defaultValue()))
          .withDescription(
              "Long-poll wait (0-20 s) of a reader serving the bulk queue alone; it also bounds"
                  + " how long a reader takes to stop.");

  public static final ConfigOption<Duration> SQS_SEVERAL_QUEUES_WAIT_TIME =
      ConfigOptions.key("sqs.several-queues-wait-time")
          .durationType()
          .defaultValue(
              Duration.ofSeconds(SqsSourceOptions.SEVERAL_QUEUES_WAIT_TIME_SECONDS.defaultValue()))
          .withDescription(
              "Long-poll wait (0-20 s) with an enrollment queue configured: an idle reader"
                  + " long-polls the enrollment queue this long, then asks both queues again, so a"
                  + " bulk request arriving while idle waits at most about this long.");

  public static final ConfigOption<Integer> SQS_MAX_MESSAGES_PER_POLL =
      ConfigOptions.key("sqs.max-messages-per-poll")
          .intType()
          .defaultValue(SqsSourceOptions.MAX_MESSAGES_PER_POLL.defaultValue())
          .withDescription(
              "Requests asked for per ReceiveMessage call (1-10). A reader hands what one call"
                  + " returned downstream before it takes an enrollment, so under a bulk backlog"
                  + " a smaller value lets enrollments in sooner, for more calls.");

  public static final ConfigOption<Integer> SQS_MAX_IN_FLIGHT =
      ConfigOptions.key("sqs.max-in-flight")
          .intType()
          .defaultValue(SqsSourceOptions.MAX_IN_FLIGHT.defaultValue())
          .withDescription(
              "Requests received but not yet deleted, per reader (a log-only run: at most 500)."
                  + " They are deleted with the checkpoint after their load, so one reader takes at"
                  + " most this many per checkpoint interval. The bulk queue stops 10 (at most half"
                  + " the bound) short of it, so enrollments get in while a backlog fills the"
                  + " reader.");

  public static final ConfigOption<String> LOAD_OUTCOMES_TOPIC =
      ConfigOptions.key("kafka.load-outcomes.topic")
          .stringType()
          .defaultValue("consumer-graph-load-outcomes")
          .withDescription(
              "Internal topic feeding load outcomes back to the load coordinator (loaded marks).");

  public static final ConfigOption<Duration> LOADED_TTL =
      ConfigOptions.key("backfill.loaded-ttl")
          .durationType()
          .defaultValue(Duration.ofDays(7))
          .withDescription("A user loaded within this time is not loaded again unless forced.");

  public static final ConfigOption<Boolean> AUTO_LOAD =
      ConfigOptions.key("backfill.auto-load.enabled")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "With a backfill queue: the gate puts a load request on it for each user the"
                  + " ingestion flag newly lets through (a grown segment or rollout, or a user"
                  + " enabled again after the flag dropped its purchases).");

  public static final ConfigOption<Double> AUTO_LOAD_RATE =
      ConfigOptions.key("backfill.auto-load.rate-limit")
          .doubleType()
          .defaultValue(10.0)
          .withDescription(
              "Auto-load requests sent to the bulk queue per second, per subtask; the rest wait"
                  + " in the job's state, never slowing the live path.");

  public static final ConfigOption<Integer> AUTO_LOAD_LOOKBACK_DAYS =
      ConfigOptions.key("backfill.auto-load.lookback-days")
          .intType()
          .defaultValue(365)
          .withDescription("The lookback_days of auto-load requests.");

  public static final ConfigOption<Duration> AUTO_LOAD_MARK_TTL =
      ConfigOptions.key("backfill.auto-load.mark-ttl")
          .durationType()
          .defaultValue(Duration.ofDays(365))
          .withDescription(
              "How long the gate remembers that it asked for a user's load (or that it dropped"
                  + " its purchases); a user buying after that is asked for again, and skipped by"
                  + " the coordinator if loaded within backfill.loaded-ttl.");

  public static final ConfigOption<Duration> LOAD_IN_FLIGHT_TIMEOUT =
      ConfigOptions.key("backfill.in-flight-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(30))
          .withDescription("After this a load without an outcome no longer blocks its user.");

  public static final ConfigOption<Duration> LIVE_RETENTION =
      ConfigOptions.key("backfill.live-retention")
          .durationType()
          .defaultValue(Duration.ofDays(3))
          .withDescription(
              "How long live purchases are remembered per user so a FullLoad keeps them.");

  public static final ConfigOption<Integer> LOAD_MAX_RETRIES =
      ConfigOptions.key("backfill.max-retries")
          .intType()
          .defaultValue(3)
          .withDescription("Retries of a load on 429/5xx/timeouts before it is dead-lettered.");

  public static final ConfigOption<Integer> LOAD_CONCURRENCY =
      ConfigOptions.key("backfill.max-concurrent-loads")
          .intType()
          .defaultValue(50)
          .withDescription(
              "User loads in flight at once per subtask (async I/O capacity). A load waits on"
                  + " its upstream requests (0.3-1 s under a backfill here, seconds for a user with"
                  + " many BTS orders), so with the Purchase History rate limit off this bounds the"
                  + " rate: 125 users/s at 0.5 s a load needs about 60 in flight (benchmarks/README.md).");

  public static final ConfigOption<Duration> LOAD_TIMEOUT =
      ConfigOptions.key("backfill.load-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription("Time for all attempts of one user load.");

  public static final ConfigOption<Double> PURCHASE_HISTORY_RATE =
      ConfigOptions.key("upstream.purchase-history.rate-limit")
          .doubleType()
          .defaultValue(10.0)
          .withDescription("Purchase History API requests per second, per loader subtask.");

  public static final ConfigOption<Duration> DEDUP_TTL =
      ConfigOptions.key("dedup.ttl")
          .durationType()
          .defaultValue(Duration.ofDays(7))
          .withDescription(
              "How long a user's purchase ids are remembered to drop duplicates before"
                  + " enrichment. Older duplicates are still harmless: the sink de-duplicates.");

  public static final ConfigOption<Boolean> LOG_ONLY =
      ConfigOptions.key("log-only")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "A dry run: process and log what would be written, and consume nothing: no Neo4j"
                  + " writes, no dead letters or load outcomes sent, no SQS message deleted (each"
                  + " reader holds at most sqs.max-in-flight and gives them back when it stops),"
                  + " no Kafka offsets committed, no dedup entry or loaded mark kept.");

  public static final ConfigOption<Boolean> METRICS_KINESIS_ANALYTICS_GROUP =
      ConfigOptions.key("metrics.kinesis-analytics-group")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Register the job's own metrics under a group named KinesisAnalytics, the only ones"
                  + " Managed Service for Apache Flink sends to CloudWatch. Set it there only: it"
                  + " adds the group to every Prometheus name.");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      ConfigOptions.key("checkpoint.interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "Checkpoint interval: buffered graph writes are flushed and Kafka offsets"
                  + " committed at each checkpoint.");

  public static final ConfigOption<Duration> ALIGNED_CHECKPOINT_TIMEOUT =
      ConfigOptions.key("checkpoint.aligned-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription(
              "A checkpoint whose barriers have not passed within this time goes unaligned: it"
                  + " stores the in-flight buffers instead of waiting for them, so a backlog in"
                  + " front of the Neo4j sink neither slows checkpoints nor stalls enrollments"
                  + " behind an alignment. 0 = always unaligned.");
}
