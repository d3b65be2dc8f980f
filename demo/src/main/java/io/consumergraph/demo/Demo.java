package io.consumergraph.demo;

import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.job.ConsumerGraphJob;
import io.consumergraph.job.config.EmbeddedStackConfig;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import io.consumergraph.upstream.UpstreamEndpoints;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * One command runs consumer-graph on the embedded stack: real Kafka (KRaft), Neo4j (Bolt + HTTP),
 * ElasticMQ and the upstream simulator in this JVM, the job in a local Flink cluster with the web
 * UI, a synthetic receipt stream, progress while it runs and a summary read back from Neo4j.
 */
public final class Demo {

  static final int RECEIPT_PARTITIONS = 4;
  static final String GROUP_ID = "consumer-graph-demo";
  static final List<String> METRICS =
      List.of(
          "accepted",
          "deadLettered",
          "itemsWithoutFido",
          "filtered.*",
          "gate.*",
          "flags.*",
          "duplicatesDropped",
          "purchasesFirstSeen",
          "enrichmentIncomplete",
          "neo4jBatches",
          "neo4jRows",
          "neo4jRetries",
          "loads.*",
          "fullLoads",
          "liveMergedIntoFullLoads",
          "failedLoads",
          "loadsSucceeded",
          "loadsFailed",
          "sqsMessagesReceived",
          "sqsMessagesDeleted");

  private Demo() {}

  public static void main(String[] args) throws Exception {
    DemoOptions options;
    try {
      options = DemoOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    System.exit(run(options));
  }

  static int run(DemoOptions options) throws Exception {
    say("starting the embedded stack ...");
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        EmbeddedNeo4j neo4j = EmbeddedNeo4j.start(7687, 7474);
        EmbeddedSqs sqs = EmbeddedSqs.start(9324);
        UpstreamSimulator upstream = UpstreamSimulator.start(8090)) {
      say("  Kafka      " + kafka.bootstrapServers());
      say("  Neo4j      " + neo4j.boltUri() + "   HTTP " + neo4j.httpUri());
      say("  ElasticMQ  " + sqs.endpoint());
      say("  upstream   " + upstream.baseUri());

      Path flags = writeFlagDocument();
      say("  flags      " + flags + " (edit it while the demo runs: polled every 2 s)");
      Queues queues = Queues.create(sqs);
      JobConfig config = jobConfig(kafka, neo4j, upstream, flags, sqs, queues);
      kafka.createTopic(config.get(JobOptions.RECEIPTS_TOPIC), RECEIPT_PARTITIONS);
      kafka.createTopic(config.get(JobOptions.FACTOIDS_TOPIC), 2);
      kafka.createTopic(config.get(JobOptions.DEAD_LETTER_TOPIC), 1);
      kafka.createTopic(config.get(JobOptions.LOAD_OUTCOMES_TOPIC), 2);

      Configuration flink = ConsumerGraphJob.flinkConfiguration(config);
      flink.set(RestOptions.PORT, options.webUiPort());
      flink.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
      flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 4);
      if (options.prometheusPort() > 0) {
        enablePrometheusReporter(flink, options.prometheusPort());
      }
      StreamExecutionEnvironment env =
          StreamExecutionEnvironment.createLocalEnvironmentWithWebUI(flink);
      env.setParallelism(2);
      ConsumerGraphJob.topology(config, false).build(env);
      JobClient job = env.executeAsync("consumer-graph (demo)");
      URI webUi = URI.create("http://localhost:" + options.webUiPort());
      say(
          "Flink "
              + org.apache.flink.runtime.util.EnvironmentInformation.getVersion()
              + " web UI "
              + webUi
              + "   job "
              + job.getJobID());
      if (options.prometheusPort() > 0) {
        say("  Prometheus scrape URL " + scrapeUrl(options));
      }
      sayTools(sqs, queues, neo4j);

      long started = System.nanoTime();
      Map<String, Long> sent = produce(kafka, config, options, upstream.catalog());
      long total = sent.values().stream().mapToLong(Long::longValue).sum();
      say("produced " + total + " records: " + sent);

      waitUntilConsumed(
          kafka,
          List.of(config.get(JobOptions.RECEIPTS_TOPIC), config.get(JobOptions.FACTOIDS_TOPIC)),
          neo4j);
      double seconds = (System.nanoTime() - started) / 1e9;

      if (options.backfillUsers() > 0) {
        backfill(sqs, queues, options.backfillUsers(), neo4j);
      }

      FlinkRestMetrics metrics = new FlinkRestMetrics(webUi);
      Thread.sleep(1500); // one metric fetch interval, so the totals include the last records
      printSummary(neo4j, kafka, config, metrics.sums(job.getJobID().toString(), METRICS));
      say(
          String.format(
              "throughput: %d records in %.1f s = %.0f records/s end to end (Kafka → Neo4j)",
              total, seconds, total / seconds));

      if (options.keepRunning()) {
        say(
            "keeping everything running: web UI "
                + webUi
                + ", Neo4j browser "
                + neo4j.httpUri()
                + (options.prometheusPort() > 0
                    ? ", Prometheus scrape URL " + scrapeUrl(options)
                    : "")
                + ". Ctrl-C to stop.");
        CountDownLatch forever = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
        forever.await();
      }
      job.cancel().get(30, TimeUnit.SECONDS);
      return 0;
    }
  }

  /** How to run each operator tool against this stack (tools/README.md has the rest). */
  static void sayTools(EmbeddedSqs sqs, Queues queues, EmbeddedNeo4j neo4j) {
    say("operator tools against this stack (with --keep-running; tools/README.md):");
    say("  ./bin/backfill --user-file users.txt --dry-run");
    say(
        "  ./bin/backfill --user-file users.txt --rate-limit 50 --endpoint-url "
            + sqs.endpoint()
            + " --queue-url "
            + queues.bulk());
    say(
        "  ADMIN_TOKEN=<secret> ./bin/admin-service --queue-url "
            + queues.bulk()
            + " --enrollment-queue-url "
            + queues.enrollment()
            + " --sqs-endpoint-url "
            + sqs.endpoint()
            + " --neo4j-uri "
            + neo4j.boltUri()
            + " --state-dir .demo/admin   (then http://localhost:8088/admin/backfill)");
    say("  ./bin/graph-audit --neo4j-uri " + neo4j.boltUri() + " --out .demo/audit-before.json");
    say("  ./bin/graph-repair --neo4j-uri " + neo4j.boltUri() + " --dry-run");
  }

  /**
   * Flink's Prometheus reporter on {@code port}. The local cluster's job manager and task manager
   * share one metric registry, so one endpoint serves both: what a Prometheus scraping the pods of
   * {@code deploy/kubernetes} sees, and what {@code deploy/grafana}'s dashboard queries.
   */
  static void enablePrometheusReporter(Configuration flink, int port) {
    flink.set(
        ConfigOptions.key("metrics.reporter.prom.factory.class").stringType().noDefaultValue(),
        PrometheusReporterFactory.class.getName());
    flink.set(
        ConfigOptions.key("metrics.reporter.prom.port").stringType().noDefaultValue(),
        Integer.toString(port));
  }

  private static URI scrapeUrl(DemoOptions options) {
    return URI.create("http://localhost:" + options.prometheusPort() + "/metrics");
  }

  /**
   * The demo's flag document: 80% rollout plus a team segment, killswitches off. It lives in .demo/
   * so it can be edited while the demo runs.
   */
  static Path writeFlagDocument() throws IOException {
    Path file = Path.of(".demo", "flags.yaml").toAbsolutePath();
    Files.createDirectories(file.getParent());
    Files.writeString(
        file,
        String.join(
            "\n",
            "flags:",
            "  consumer_graph_ingestion:",
            "    enabled: true",
            "    rollout: 80",
            "    segments:",
            "      - name: Team Users",
            "        allowedIDs: [\"user-1\", \"user-2\", \"user-3\"]",
            "  consumer_graph_receipt_killswitch: { enabled: false }",
            "  consumer_graph_factoid_killswitch: { enabled: false }",
            ""));
    return file;
  }

  /** The demo's SQS queues, as in the seeds: bulk backfill, enrollment, dead letters. */
  record Queues(String bulk, String enrollment, String deadLetters) {
    static Queues create(EmbeddedSqs sqs) {
      // The job's SQS clients use the default credentials chain; ElasticMQ accepts any.
      System.setProperty("aws.accessKeyId", "demo");
      System.setProperty("aws.secretAccessKey", "demo");
      return new Queues(
          sqs.createQueue("consumer-graph-queue", Map.of()),
          sqs.createQueue("consumer-graph-enrollment-queue", Map.of()),
          sqs.createQueue("consumer-graph-queue-dlq", Map.of()));
    }
  }

  /**
   * Sends one user_load_request per user to the bulk queue and waits until the queue has drained
   * (the seeds' runbook signal: messages are deleted once the checkpoint covering their load
   * completes), then reports users/s.
   */
  private static void backfill(EmbeddedSqs sqs, Queues queues, int users, EmbeddedNeo4j neo4j)
      throws InterruptedException {
    say("backfilling " + users + " users through " + queues.bulk() + " ...");
    long started = System.nanoTime();
    String now = Instant.now().toString();
    List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      String body =
          "{\"event_type\": \"user_load_request\", \"user_id\": \"user-"
              + i
              + "\","
              + " \"reason\": \"batch_backfill\", \"requested_at\": \""
              + now
              + "\","
              + " \"lookback_days\": 365, \"request_id\": \""
              + UUID.randomUUID()
              + "\", \"priority\": \"low\"}";
      batch.add(
          SendMessageBatchRequestEntry.builder().id(Integer.toString(i)).messageBody(body).build());
      if (batch.size() == 10 || i == users - 1) {
        List<SendMessageBatchRequestEntry> entries = List.copyOf(batch);
        sqs.client().sendMessageBatch(b -> b.queueUrl(queues.bulk()).entries(entries));
        batch.clear();
      }
    }
    while (true) {
      Map<QueueAttributeName, String> attributes =
          sqs.client()
              .getQueueAttributes(
                  b ->
                      b.queueUrl(queues.bulk())
                          .attributeNamesWithStrings(
                              "ApproximateNumberOfMessages",
                              "ApproximateNumberOfMessagesNotVisible"))
              .attributes();
      long waiting =
          Long.parseLong(attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
      long inFlight =
          Long.parseLong(
              attributes.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
      long loaded = GraphSummary.count(neo4j.driver(), "MATCH (u:User) RETURN count(u)");
      say(
          String.format(
              "  backfill: %d waiting, %d in flight | graph: %d users", waiting, inFlight, loaded));
      if (waiting == 0 && inFlight == 0) {
        break;
      }
      Thread.sleep(2000);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    say(
        String.format(
            "backfill: %d users in %.1f s = %.1f users/s (queue drained)",
            users, seconds, users / seconds));
  }

  static JobConfig jobConfig(
      EmbeddedKafka kafka,
      EmbeddedNeo4j neo4j,
      UpstreamSimulator upstream,
      Path flags,
      EmbeddedSqs sqs,
      Queues queues) {
    Configuration c =
        EmbeddedStackConfig.of(
            kafka.bootstrapServers(),
            neo4j.boltUri(),
            UpstreamEndpoints.onOneHost(upstream.baseUri()));
    c.set(JobOptions.SQS_QUEUE_URL, queues.bulk());
    c.set(JobOptions.SQS_ENROLLMENT_QUEUE_URL, queues.enrollment());
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, queues.deadLetters());
    c.set(JobOptions.SQS_ENDPOINT, sqs.endpoint().toString());
    c.set(JobOptions.FLAGS_LOCATION, flags.toString());
    c.set(JobOptions.FLAGS_POLL_INTERVAL, Duration.ofSeconds(2));
    c.set(JobOptions.GROUP_ID, GROUP_ID);
    c.set(JobOptions.CHECKPOINT_INTERVAL, Duration.ofSeconds(2));
    return JobConfig.of(c);
  }

  /** Produces the receipt stream and, one factoid for every receipt, the factoid stream. */
  private static Map<String, Long> produce(
      EmbeddedKafka kafka, JobConfig config, DemoOptions options, SyntheticCatalog catalog)
      throws InterruptedException {
    long now = System.currentTimeMillis();
    SyntheticReceiptStream receipts =
        new SyntheticReceiptStream(options.seed(), options.users(), CatalogSample.of(catalog), now);
    SyntheticFactoidStream factoids =
        new SyntheticFactoidStream(
            options.seed() + 1, options.users(), CatalogSample.of(catalog), now);
    String receiptTopic = config.get(JobOptions.RECEIPTS_TOPIC);
    String factoidTopic = config.get(JobOptions.FACTOIDS_TOPIC);
    Map<String, Long> sent = new TreeMap<>();
    long started = System.nanoTime();
    try (KafkaProducer<byte[], byte[]> producer = kafka.producer()) {
      for (int i = 0; i < options.receipts(); i++) {
        SyntheticReceiptStream.Generated r = receipts.next();
        producer.send(new ProducerRecord<>(receiptTopic, r.key(), r.value()));
        sent.merge("receipt " + r.kind(), 1L, Long::sum);
        SyntheticFactoidStream.Generated f = factoids.next();
        producer.send(new ProducerRecord<>(factoidTopic, f.key(), f.value()));
        sent.merge("factoid " + f.kind(), 1L, Long::sum);
        if (options.ratePerSecond() > 0) {
          long due = started + (long) (i * 1e9 / options.ratePerSecond());
          long wait = due - System.nanoTime();
          if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
          }
        }
      }
      producer.flush();
    }
    return sent;
  }

  /**
   * Waits until the job's committed offsets reach the end of the topic. Offsets are committed when
   * a checkpoint completes, after the sink has flushed, so everything before them is in Neo4j.
   */
  private static void waitUntilConsumed(
      EmbeddedKafka kafka, List<String> topics, EmbeddedNeo4j neo4j) throws Exception {
    long target = 0;
    for (String topic : topics) {
      target += kafka.endOffsets(topic).values().stream().mapToLong(Long::longValue).sum();
    }
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      while (true) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(GROUP_ID).partitionsToOffsetAndMetadata().get();
        long done =
            committed.entrySet().stream()
                .filter(e -> topics.contains(e.getKey().topic()) && e.getValue() != null)
                .mapToLong(e -> e.getValue().offset())
                .sum();
        long purchased =
            GraphSummary.count(neo4j.driver(), "MATCH ()-[r:PURCHASED]->() RETURN count(r)");
        long users = GraphSummary.count(neo4j.driver(), "MATCH (u:User) RETURN count(u)");
        say(
            String.format(
                "  progress: %d/%d records committed (%.0f%%) | graph: %d users, %d PURCHASED",
                done, target, 100.0 * done / Math.max(1, target), users, purchased));
        if (done >= target) {
          return;
        }
        Thread.sleep(2000);
      }
    }
  }

  private static void printSummary(
      EmbeddedNeo4j neo4j, EmbeddedKafka kafka, JobConfig config, Map<String, Long> metrics) {
    say("");
    say("=== summary (read back from Neo4j) ===");
    say("nodes:");
    GraphSummary.nodesByLabel(neo4j.driver())
        .forEach((k, v) -> say(String.format("  %-14s %8d", k, v)));
    say("relationships:");
    GraphSummary.relationshipsByType(neo4j.driver())
        .forEach((k, v) -> say(String.format("  %-14s %8d", k, v)));
    long deadLetters =
        kafka.endOffsets(config.get(JobOptions.DEAD_LETTER_TOPIC)).values().stream()
            .mapToLong(Long::longValue)
            .sum();
    say("dead letters in " + config.get(JobOptions.DEAD_LETTER_TOPIC) + ": " + deadLetters);
    say("operator metrics (Flink web UI, summed over subtasks):");
    metrics.forEach((k, v) -> say(String.format("  %-58s %8d", k, v)));
  }

  static void say(String line) {
    System.out.println(line);
    System.out.flush();
  }
}
