package io.consumergraph.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.ClusterOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.MetricOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay.sh} against a session cluster: the shaded jar is uploaded to a MiniCluster over its
 * REST API and run on the embedded stack; the script stops it with a savepoint and runs it again
 * from there with the live topics rewound to the earliest offset (generation 1). The replayed
 * receipts hit the restored dedup state, no backfill runs again, and the graph equals the oracle:
 * nothing lost, nothing counted twice.
 *
 * <p>The cluster resolves classes parent-first: the job's classes are also on this test's class
 * path (for the oracle), and two copies of the Kafka client would break class identity. What the
 * jar holds is FatJarIT's business; this test is about the procedure.
 */
class ReplayScriptIT {

  private static final Path FAT_JAR =
      Path.of(System.getProperty("fatJar", "target/consumer-graph-job.jar")).toAbsolutePath();
  private static final Path SCRIPT =
      Path.of(System.getProperty("replayScript", "replay.sh")).toAbsolutePath();
  private static final Duration WAIT = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension static final EmbeddedStack STACK = new EmbeddedStack();

  private static MiniCluster cluster;
  private static String rest;

  @TempDir Path dir;

  private final Map<String, Set<String>> live = new HashMap<>();
  private int sent;

  @BeforeAll
  static void startSessionCluster() throws Exception {
    Configuration c = REPORTER.addToConfiguration(new Configuration());
    c.set(RestOptions.BIND_PORT, "0");
    c.set(WebOptions.SUBMIT_ENABLE, true);
    c.set(CoreOptions.CLASSLOADER_RESOLVE_ORDER, "parent-first");
    // A System.exit in the job's main (bad arguments) must not end the test JVM.
    c.set(ClusterOptions.INTERCEPT_USER_SYSTEM_EXIT, ClusterOptions.UserSystemExitMode.THROW);
    c.set(MetricOptions.METRIC_FETCHER_UPDATE_INTERVAL, Duration.ofSeconds(1));
    cluster =
        new MiniCluster(
            new MiniClusterConfiguration.Builder()
                .setConfiguration(c)
                .setNumTaskManagers(1)
                .setNumSlotsPerTaskManager(4)
                .build());
    cluster.start();
    rest = cluster.getRestAddress().get(30, TimeUnit.SECONDS).toString().replaceAll("/$", "");
  }

  @AfterAll
  static void stopSessionCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void replayRewoundToTheStartRestoresTheJobAndCountsNothingTwice() throws Exception {
    assertThat(FAT_JAR).as("shaded jar built by `package`").isRegularFile();
    String bulk = STACK.sqs().createQueue("replay-bulk", Map.of());
    String dlq = STACK.sqs().createQueue("replay-dlq", Map.of());
    for (String topic :
        List.of("replay-receipts", "replay-factoids", "replay-outcomes", "replay-dead")) {
      STACK.kafka().createTopic(topic, 1);
    }
    List<String> users = STACK.oracle().usersWithReceiptsAndShopOrders("replay-user-", 3);
    List<String> args = jobArgs(bulk, dlq);

    // 1. The jar uploaded and run as on a session cluster; live receipts (re-sent) and backfills.
    String jarId = upload(FAT_JAR);
    List<String> firstArgs = new ArrayList<>(args);
    firstArgs.addAll(List.of("--kafka.start-from", "earliest"));
    String first =
        post(
                "/jars/" + jarId + "/run",
                Map.of(
                    "programArgsList", firstArgs, "parallelism", 2, "allowNonRestoredState", false))
            .get("jobid")
            .asText();
    awaitState(first, "RUNNING");
    produce(users, "a", true);
    for (String user : users) {
      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(user)));
    }
    awaitGraph(users);
    assertThat(counter(first, "load-coordinator", "loads.started")).isEqualTo(users.size());

    // 2. The script: stop with a savepoint, run the jar again from it, rewound to the start.
    long started = System.nanoTime();
    List<String> command =
        new ArrayList<>(
            List.of(
                SCRIPT.toString(),
                "--rest",
                rest,
                "--job",
                first,
                "--jar",
                FAT_JAR.toString(),
                "--savepoint-dir",
                dir.resolve("savepoints").toUri().toString(),
                "--rewind-to",
                "earliest",
                "--generation",
                "1",
                "--parallelism",
                "2",
                "--timeout",
                "120",
                "--"));
    command.addAll(args);
    Result replay = run(command);
    assertThat(replay.exit).as("replay.sh exit; stderr:%n%s", replay.stderr).isZero();
    Map<String, String> printed = replay.printed();
    String savepoint = printed.get("savepoint");
    String second = printed.get("job");
    System.out.printf(
        "replay.sh took %d ms: savepoint %s, job %s -> %s%n",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), savepoint, first, second);
    assertThat(savepoint).as("savepoint printed; stderr:%n%s", replay.stderr).isNotBlank();
    assertThat(Path.of(URI.create(savepoint))).isDirectory();
    assertThat(second).isNotBlank().isNotEqualTo(first);
    assertThat(get("/jobs/" + first).get("state").asText()).isEqualTo("FINISHED");

    // 3. After the restore: more receipts (re-sent), the old ones replayed from the start.
    produce(users, "b", true);
    awaitGraph(users);
    try {
      EmbeddedJobConfig.waitFor(
          "the replayed receipts dropped as duplicates by the restored dedup state",
          WAIT,
          () -> counter(second, "dedup-purchases", "duplicatesDropped") >= users.size() * 3L);
      assertThat(counter(second, "load-coordinator", "loads.started"))
          .as("loads after the restore (loaded marks and outcomes kept)")
          .isZero();
      for (String user : users) {
        STACK.oracle().assertAggregatesMatch(user, live.get(user));
      }
      assertThat(STACK.messages(bulk)).as("requests left").isZero();
      assertThat(STACK.messages(dlq)).as("dead letters").isZero();
      System.out.printf(
          "replay.sh rewind: %d live records sent (%d distinct), %d users backfilled once,"
              + " %d duplicates dropped after the restore, lost 0, doubled 0%n",
          sent,
          live.values().stream().mapToInt(Set::size).sum(),
          users.size(),
          counter(second, "dedup-purchases", "duplicatesDropped"));
    } finally {
      cluster.cancelJob(JobID.fromHexString(second)).get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void anUnknownJobIsReportedAndNothingIsSubmitted() throws Exception {
    String unknown = new JobID().toHexString();
    int jars = get("/jars").get("files").size();
    Result result =
        run(
            List.of(
                SCRIPT.toString(),
                "--rest",
                rest,
                "--job",
                unknown,
                "--jar",
                FAT_JAR.toString(),
                "--savepoint-dir",
                dir.toUri().toString(),
                "--",
                "--kafka.bootstrap-servers",
                "localhost:9092"));
    assertThat(result.exit).isEqualTo(3);
    assertThat(result.stderr).contains("job " + unknown + " not found at " + rest);
    assertThat(result.stdout).isEmpty();
    assertThat(get("/jars").get("files").size())
        .as("jars, none uploaded for an unknown job")
        .isEqualTo(jars);
  }

  @Test
  void badArgumentsExitWithTwoBeforeAnyCall() throws Exception {
    List<String> base =
        List.of(
            SCRIPT.toString(),
            "--rest",
            "http://localhost:1",
            "--job",
            new JobID().toHexString(),
            "--jar",
            "x.jar",
            "--savepoint-dir",
            "file:///tmp/savepoints");
    Map<List<String>, String> cases = new TreeMap<>((a, b) -> a.toString().compareTo(b.toString()));
    cases.put(List.of("--rewind-to", "earliest", "--", "--a", "b"), "needs --generation");
    cases.put(
        List.of("--rewind-to", "2026-12-01T10:00", "--generation", "1", "--", "--a", "b"),
        "has no zone");
    cases.put(
        List.of(
            "--rewind-to", "earliest", "--generation", "1", "--", "--kafka.start-from", "latest"),
        "leave --kafka.start-from out");
    cases.put(List.of("--generation", "1", "--", "--a", "b"), "only meaningful with --rewind-to");
    cases.put(List.of("--bogus"), "unknown option '--bogus'");
    cases.put(List.of(), "the job's arguments are required");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      List<String> command = new ArrayList<>(base);
      command.addAll(c.getKey());
      Result result = run(command);
      assertThat(result.exit).as("exit of %s", c.getKey()).isEqualTo(2);
      assertThat(result.stderr).as("message of %s", c.getKey()).contains(c.getValue());
    }
    List<String> dryRun = new ArrayList<>(base);
    dryRun.addAll(
        List.of(
            "--rewind-to", "timestamp:1000", "--generation", "2", "--dry-run", "--", "--a", "b"));
    Result result = run(dryRun);
    assertThat(result.exit).as(result.stderr).isZero();
    assertThat(result.stdout)
        .contains("POST http://localhost:1/jobs/")
        .contains("\"drain\": false")
        .contains(
            "\"programArgsList\": [\"--a\", \"b\", \"--kafka.rewind-generation\", \"2\","
                + " \"--kafka.start-from\", \"timestamp:1000\"]")
        .contains("\"allowNonRestoredState\": true");
  }

  /** The job's {@code --key value} arguments against the embedded stack, without a start. */
  private List<String> jobArgs(String bulk, String dlq) throws IOException {
    Configuration c = EmbeddedJobConfig.of(STACK.kafka(), STACK.neo4j(), STACK.upstream());
    c.set(JobOptions.GROUP_ID, "replay-group");
    c.set(JobOptions.RECEIPTS_TOPIC, "replay-receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, "replay-factoids");
    c.set(JobOptions.LOAD_OUTCOMES_TOPIC, "replay-outcomes");
    c.set(JobOptions.DEAD_LETTER_TOPIC, "replay-dead");
    c.set(JobOptions.FLAGS_LOCATION, EmbeddedJobConfig.everyoneEnabled(dir).toString());
    c.set(JobOptions.SQS_QUEUE_URL, bulk);
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, dlq);
    c.set(JobOptions.SQS_ENDPOINT, STACK.sqs().endpoint().toString());
    c.set(JobOptions.PURCHASE_HISTORY_RATE, 1000.0);
    List<String> args = new ArrayList<>();
    new TreeMap<>(c.toMap())
        .forEach(
            (k, v) -> {
              if (!k.equals(JobOptions.START_FROM.key())
                  && !k.equals(JobOptions.REWIND_GENERATION.key())) {
                args.add("--" + k);
                args.add(v);
              }
            });
    return args;
  }

  private void produce(List<String> users, String round, boolean resend) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
      for (String user : users) {
        String id = "replay-" + user + "-" + round;
        live.computeIfAbsent(user, u -> new HashSet<>()).add(id);
        for (int i = 0; i < (resend ? 2 : 1); i++) {
          producer.send(new ProducerRecord<>("replay-receipts", STACK.liveReceipt(id, user))).get();
          sent++;
        }
      }
    }
  }

  private void awaitGraph(List<String> users) throws InterruptedException {
    EmbeddedJobConfig.waitFor(
        "every user's history and live receipts in Neo4j",
        WAIT,
        () ->
            users.stream()
                .allMatch(
                    u -> {
                      Set<String> expected = new HashSet<>(STACK.oracle().expectedIds(u));
                      expected.addAll(live.get(u));
                      return STACK.oracle().purchaseIds(u).equals(expected);
                    }));
  }

  /** Counter {@code name} (e.g. {@code loads.started}) of the operator in the job, summed. */
  private static long counter(String jobId, String operator, String name) {
    long sum = 0;
    for (Map.Entry<MetricGroup, Map<String, Metric>> group :
        REPORTER.getMetricsByGroup().entrySet()) {
      if (!jobId.equals(group.getKey().getAllVariables().get("<job_id>"))) {
        continue;
      }
      for (Map.Entry<String, Metric> m : group.getValue().entrySet()) {
        String id = group.getKey().getMetricIdentifier(m.getKey());
        if (id.contains("." + operator + ".")
            && id.endsWith("." + name)
            && m.getValue() instanceof Counter c) {
          sum += c.getCount();
        }
      }
    }
    return sum;
  }

  private void awaitState(String jobId, String state) throws InterruptedException {
    EmbeddedJobConfig.waitFor(
        "job " + jobId + " " + state,
        WAIT,
        () -> {
          try {
            return state.equals(get("/jobs/" + jobId).get("state").asText());
          } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(rest + path)).GET().build());
  }

  private static JsonNode post(String path, Object body) throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(rest + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
            .build());
  }

  /** {@code POST /jars/upload} (multipart, field {@code jarfile}); the jar's id. */
  private static String upload(Path jar) throws IOException, InterruptedException {
    String boundary = "replay-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(
        ("--"
                + boundary
                + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\""
                + jar.getFileName()
                + "\"\r\nContent-Type: application/java-archive\r\n\r\n")
            .getBytes(StandardCharsets.UTF_8));
    body.writeBytes(Files.readAllBytes(jar));
    body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    JsonNode response =
        send(
            HttpRequest.newBuilder(URI.create(rest + "/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build());
    String filename = response.get("filename").asText();
    return filename.substring(filename.lastIndexOf('/') + 1);
  }

  private static JsonNode send(HttpRequest request) throws IOException, InterruptedException {
    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode())
        .as("%s %s: %s", request.method(), request.uri(), response.body())
        .isBetween(200, 299);
    return JSON.readTree(response.body());
  }

  private record Result(int exit, String stdout, String stderr) {
    /** The script's "key: value" lines on stdout. */
    Map<String, String> printed() {
      Map<String, String> out = new HashMap<>();
      for (String line : stdout.split("\n")) {
        int colon = line.indexOf(": ");
        if (colon > 0) {
          out.put(line.substring(0, colon), line.substring(colon + 2).trim());
        }
      }
      return out;
    }
  }

  private Result run(List<String> command) throws Exception {
    Path out = Files.createTempFile(dir, "replay", ".out");
    Path err = Files.createTempFile(dir, "replay", ".err");
    Process process =
        new ProcessBuilder(command)
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!process.waitFor(3, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new AssertionError("replay.sh did not end: " + command + "\n" + Files.readString(err));
    }
    return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
  }
}
