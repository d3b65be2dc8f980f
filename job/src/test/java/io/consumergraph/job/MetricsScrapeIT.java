package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.PromQl;
import io.consumergraph.job.testing.PrometheusScrape;
import io.consumergraph.model.proto.Factoid;
import io.consumergraph.model.proto.FactoidEventType;
import io.consumergraph.model.proto.FactoidSource;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.operators.decode.SchemaRegistryFraming;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.configuration.ConfigOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.prometheus.PrometheusReporterFactory;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every metric that the Grafana dashboard and the Prometheus alert rules in {@code deploy/} query
 * is one the job really exports: the job runs on the embedded stack with Flink's Prometheus
 * reporter, takes a little of every kind of traffic, and its endpoint is scraped as Prometheus
 * scrapes it.
 */
class MetricsScrapeIT {

  static final Path DEPLOY =
      Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../deploy").normalize();
  static final Path DASHBOARD = DEPLOY.resolve("grafana/consumer-graph-dashboard.json");
  static final Path ALERTS = DEPLOY.resolve("prometheus/consumer-graph-alerts.yaml");

  /**
   * Metrics the files may query that do not come from Flink, with where they come from. Only these
   * are exempt from the scrape check.
   */
  static final Map<String, String> FROM_OUTSIDE_FLINK =
      Map.of(
          "aws_sqs_approximate_number_of_messages_visible_average",
          "CloudWatch AWS/SQS ApproximateNumberOfMessagesVisible, through the Prometheus"
              + " CloudWatch exporter (the queue's depth is SQS's to know, not the job's)",
          "aws_sqs_approximate_number_of_messages_not_visible_average",
          "CloudWatch AWS/SQS ApproximateNumberOfMessagesNotVisible, through the CloudWatch"
              + " exporter",
          "aws_sqs_approximate_age_of_oldest_message_maximum",
          "CloudWatch AWS/SQS ApproximateAgeOfOldestMessage, through the CloudWatch exporter");

  /** The job's name in production ({@code ConsumerGraphJob.main}), so label values agree. */
  static final String JOB_NAME = "consumer-graph";

  static final Duration SCRAPE_TIMEOUT = Duration.ofSeconds(90);

  static final int PROMETHEUS_PORT = freePort();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(6)
              .setConfiguration(prometheusReporter(PROMETHEUS_PORT))
              .build());

  @RegisterExtension static final EmbeddedStack STACK = new EmbeddedStack();

  @TempDir Path dir;

  @Test
  void everyQueryOfTheDashboardAndTheAlertRulesNamesAMetric() throws IOException {
    Map<String, List<PromQl.Selector>> queries = monitoringQueries();
    assertThat(queries).as("queries in %s and %s", DASHBOARD, ALERTS).hasSizeGreaterThan(20);
    queries.forEach(
        (where, selectors) -> assertThat(selectors).as("metrics named by %s", where).isNotEmpty());
    Set<String> outsideUsed = new TreeSet<>();
    queries.values().stream()
        .flatMap(List::stream)
        .map(PromQl.Selector::metric)
        .filter(m -> m != null && FROM_OUTSIDE_FLINK.containsKey(m))
        .forEach(outsideUsed::add);
    assertThat(outsideUsed)
        .as("metrics listed as coming from outside Flink are all still queried")
        .containsExactlyInAnyOrderElementsOf(FROM_OUTSIDE_FLINK.keySet());
  }

  @Test
  void everyMetricTheDashboardAndTheAlertRulesQueryIsExportedByTheJob() throws Exception {
    Map<String, List<PromQl.Selector>> queries = monitoringQueries();
    JobClient job = startJob();
    try {
      sendTraffic();
      URI url = URI.create("http://localhost:" + PROMETHEUS_PORT + "/metrics");
      List<String> missing;
      PrometheusScrape scrape;
      long deadline = System.nanoTime() + SCRAPE_TIMEOUT.toNanos();
      while (true) {
        scrape = PrometheusScrape.of(url);
        missing = unanswered(queries, scrape);
        if (missing.isEmpty() || System.nanoTime() > deadline) {
          break;
        }
        Thread.sleep(1000);
      }
      Path report = Path.of(System.getProperty("java.io.tmpdir"), "metrics-scrape.txt");
      Files.writeString(report, scrape.text(), StandardCharsets.UTF_8);
      assertThat(missing)
          .as(
              "queries naming a metric (or labels) the job does not export; the scrape is in %s",
              report)
          .isEmpty();
    } finally {
      job.cancel().get();
    }
  }

  /** "where: selector (reason)" for every selector no scraped series answers. */
  static List<String> unanswered(
      Map<String, List<PromQl.Selector>> queries, PrometheusScrape scrape) {
    List<String> missing = new ArrayList<>();
    queries.forEach(
        (where, selectors) -> {
          for (PromQl.Selector s : selectors) {
            if (s.metric() != null && FROM_OUTSIDE_FLINK.containsKey(s.metric())) {
              continue;
            }
            boolean named = scrape.series().stream().anyMatch(x -> s.selectsName(x.name()));
            boolean selected =
                scrape.series().stream().anyMatch(x -> s.selects(x.name(), x.labels()));
            if (!selected) {
              missing.add(
                  where
                      + ": "
                      + s
                      + (named
                          ? " (exported, but no series has these labels)"
                          : " (not exported)"));
            }
          }
        });
    return missing;
  }

  /**
   * The selectors of every query in the dashboard (panel targets and variable queries) and in the
   * alert rules, keyed by where they are.
   */
  static Map<String, List<PromQl.Selector>> monitoringQueries() throws IOException {
    Map<String, List<PromQl.Selector>> out = new LinkedHashMap<>();
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if (variable.path("type").asText().equals("query")) {
        JsonNode query = variable.path("query");
        String text = query.isTextual() ? query.asText() : query.path("query").asText();
        out.put(
            "dashboard variable " + variable.path("name").asText(), PromQl.variableSelectors(text));
      }
    }
    List<JsonNode> panels = new ArrayList<>();
    collectPanels(dashboard.path("panels"), panels);
    for (JsonNode panel : panels) {
      for (JsonNode target : panel.path("targets")) {
        String expr = target.path("expr").asText();
        out.put(
            "panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
            PromQl.selectors(expr));
      }
    }
    JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
    for (JsonNode group : rules.path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name =
            rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText();
        out.put("rule " + name, PromQl.selectors(rule.path("expr").asText()));
      }
    }
    return out;
  }

  private static void collectPanels(JsonNode panels, List<JsonNode> out) {
    for (JsonNode panel : panels) {
      if (panel.has("targets")) {
        out.add(panel);
      }
      collectPanels(panel.path("panels"), out); // collapsed rows keep theirs inside
    }
  }

  private JobClient startJob() throws Exception {
    for (String topic : List.of("receipts", "factoids", "outcomes", "dead-letters")) {
      STACK.kafka().createTopic(topic, 1);
    }
    String bulk = STACK.sqs().createQueue("bulk", Map.of());
    String dlq = STACK.sqs().createQueue("requests-dlq", Map.of());
    Configuration c = EmbeddedJobConfig.of(STACK.kafka(), STACK.neo4j(), STACK.upstream());
    c.set(JobOptions.RECEIPTS_TOPIC, "receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, "factoids");
    c.set(JobOptions.LOAD_OUTCOMES_TOPIC, "outcomes");
    c.set(JobOptions.DEAD_LETTER_TOPIC, "dead-letters");
    c.set(JobOptions.FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(dir).toString());
    c.set(JobOptions.FLAGS_POLL_INTERVAL, Duration.ofMillis(500));
    c.set(JobOptions.SQS_QUEUE_URL, bulk);
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, dlq);
    c.set(JobOptions.SQS_ENDPOINT, STACK.sqs().endpoint().toString());
    c.set(JobOptions.SQS_WAIT_TIME, Duration.ofSeconds(1));
    c.set(JobOptions.PURCHASE_HISTORY_RATE, 1000.0);
    JobConfig config = JobConfig.of(c);
    this.bulkQueue = bulk;
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(
            ConsumerGraphJob.flinkConfiguration(config));
    env.setParallelism(2);
    ConsumerGraphJob.topology(config, false).build(env);
    return env.executeAsync(JOB_NAME);
  }

  private String bulkQueue;

  /**
   * A little of everything the panels count: live receipts and a shop-order factoid that pass, a
   * receipt and a factoid that are filtered, a garbage record (a dead letter), one backfill request
   * that loads and one that is invalid (an SQS dead letter).
   */
  private void sendTraffic() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
      for (int i = 0; i < 3; i++) {
        producer.send(
            new ProducerRecord<>("receipts", STACK.liveReceipt("live-" + i, "metrics-user-" + i)));
      }
      byte[] pending =
          ProcessedReceiptEvent.newBuilder()
              .setReceiptId("pending-1")
              .setUserId("metrics-user-0")
              .setStatus(ReceiptStatus.PENDING)
              .build()
              .toByteArray();
      producer.send(new ProducerRecord<>("receipts", pending));
      producer.send(
          new ProducerRecord<>("receipts", "garbage".getBytes(StandardCharsets.US_ASCII)));
      byte[] play =
          Factoid.newBuilder()
              .setSummaryId("play-1")
              .setUserId("metrics-user-0")
              .setSource(FactoidSource.PLAY)
              .setEventType(FactoidEventType.QUEST_COMPLETED)
              .build()
              .toByteArray();
      producer.send(
          new ProducerRecord<>("factoids", SchemaRegistryFraming.frame(3, new int[] {0}, play)));
      producer.flush();
    }
    String user = STACK.oracle().usersWithReceiptsAndShopOrders("metrics-backfill-", 1).get(0);
    STACK
        .sqs()
        .client()
        .sendMessage(b -> b.queueUrl(bulkQueue).messageBody(STACK.loadRequest(user)));
    STACK
        .sqs()
        .client()
        .sendMessage(
            b -> b.queueUrl(bulkQueue).messageBody("{\"event_type\": \"user_load_request\"}"));
  }

  /** The reporter as deploy/kubernetes configures it, on a port of this test's own. */
  static Configuration prometheusReporter(int port) {
    Configuration c = new Configuration();
    c.set(
        ConfigOptions.key("metrics.reporter.prom.factory.class").stringType().noDefaultValue(),
        PrometheusReporterFactory.class.getName());
    c.set(
        ConfigOptions.key("metrics.reporter.prom.port").stringType().noDefaultValue(),
        Integer.toString(port));
    return c;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
