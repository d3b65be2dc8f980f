package io.consumergraph.benchmarks;

import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.job.ConsumerGraphJob;
import io.consumergraph.job.config.EmbeddedStackConfig;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.simulator.EndpointFamily;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.ShopOrder;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import io.consumergraph.upstream.UpstreamEndpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.neo4j.driver.Session;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * Backfill throughput of the whole job on the embedded stack: one user_load_request per synthetic
 * user on the bulk queue, the simulator answering every request after {@code --latency-ms}, the
 * production checkpoint interval. Variants, each on queues, users and a consumer group of its own:
 *
 * <ul>
 *   <li>{@code baseline}: {@code sqs.max-in-flight} = 500, the value the job had before this
 *       benchmark (fewer users: it is slow by design);
 *   <li>{@code defaults}: the job's defaults, Purchase History rate limit off;
 *   <li>{@code rate-limit}: the defaults with {@code --rate-limit} (10/s): the measured Purchase
 *       History request rate must be that limit per loader subtask.
 * </ul>
 *
 * <p>Figures: users/s and Purchase History requests/s while 10% → 90% of the users reach Neo4j
 * (steady state), and the time until the queue has drained (a request is deleted with the
 * checkpoint after its FullLoad); the full size of the checkpoint that drained the queue (every
 * operator's state), and from the {@code defaults} and {@code baseline} runs the checkpoint bytes a
 * backfilled user costs the job ({@link #stateBytesPerUser(List)}). Checks: every user with a
 * history is in Neo4j, the queue and its dead-letter queue are empty.
 *
 * <p>{@code --neo4j process} writes to a standalone Neo4j server in a process of its own ({@link
 * GraphServer}), as production runs it, instead of the harness in this JVM.
 */
public final class BackfillBenchmark {

  private static final long DAY = 86_400_000L;

  /** Item rows per transaction of the UNWIND writer, as in the live benchmark. */
  private static final int BASELINE_ROWS = 2_000;

  /** How often the run counts the users in Neo4j (a range seek over all of them). */
  private static final long COUNT_EVERY_MS = 1000;

  /** How often an enrolled user's graph is looked for (one indexed seek). */
  private static final long ENROLLED_POLL_MS = 50;

  record Options(
      int users,
      int baselineUsers,
      int rateLimitUsers,
      long latencyMs,
      Duration checkpointInterval,
      double rateLimit,
      int parallelism,
      int enrollments,
      int warmupUsers,
      int unwindUsers,
      List<String> variants,
      String neo4j,
      Map<String, String> settings) {

    static Options parse(String[] args) {
      Map<String, String> given = new LinkedHashMap<>();
      Map<String, String> settings = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--set") && i + 1 < args.length && args[i + 1].contains("=")) {
          String[] kv = args[++i].split("=", 2);
          settings.put(kv[0], kv[1]);
          continue;
        }
        if (args[i].equals("--help")) {
          throw new IllegalArgumentException(
              "options: --users N (10000) --baseline-users N (1000) --rate-limit-users N (600)"
                  + " --latency-ms MS (30) --checkpoint-interval 30s --rate-limit R (10)"
                  + " --parallelism P (2) --enrollments N (20, during defaults)"
                  + " --warmup-users N (2000, an untimed backfill first; 0: none)"
                  + " --unwind-users N (1000, the hand-written UNWIND writer on the histories of"
                  + " N other users, after the variants; 0: none)"
                  + " --variants baseline,defaults,rate-limit"
                  + " --neo4j in-process|process (in-process; process: a standalone server)"
                  + " --set job.key=value (any job option, every variant)");
        }
        if (!args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException("expected --option value, got '" + args[i] + "'");
        }
        given.put(args[i].substring(2), args[++i]);
      }
      Options o =
          new Options(
              Integer.parseInt(given.getOrDefault("users", "10000")),
              Integer.parseInt(given.getOrDefault("baseline-users", "1000")),
              Integer.parseInt(given.getOrDefault("rate-limit-users", "600")),
              Long.parseLong(given.getOrDefault("latency-ms", "30")),
              Duration.parse(
                  "PT" + given.getOrDefault("checkpoint-interval", "30s").toUpperCase(Locale.ROOT)),
              Double.parseDouble(given.getOrDefault("rate-limit", "10")),
              Integer.parseInt(given.getOrDefault("parallelism", "2")),
              Integer.parseInt(given.getOrDefault("enrollments", "20")),
              Integer.parseInt(given.getOrDefault("warmup-users", "2000")),
              Integer.parseInt(given.getOrDefault("unwind-users", "1000")),
              List.of(given.getOrDefault("variants", "baseline,defaults,rate-limit").split(",")),
              GraphServer.placement(given.getOrDefault("neo4j", "in-process")),
              Map.copyOf(settings));
      for (String key : given.keySet()) {
        if (!List.of(
                "users",
                "baseline-users",
                "rate-limit-users",
                "latency-ms",
                "checkpoint-interval",
                "rate-limit",
                "parallelism",
                "enrollments",
                "warmup-users",
                "unwind-users",
                "variants",
                "neo4j")
            .contains(key)) {
          throw new IllegalArgumentException("unknown option --" + key);
        }
      }
      return o;
    }
  }

  /**
   * One variant's figures; {@code enrollmentLatenciesMs} from an enrollment request on its queue to
   * the user's graph in Neo4j, sent one at a time while the bulk backfill runs (defaults only).
   */
  record Result(
      String variant,
      int users,
      double steadyUsersPerSecond,
      double drainSeconds,
      double historyRequestsPerSecond,
      List<Long> enrollmentLatenciesMs,
      long checkpointBytes,
      boolean correct) {

    /** The users whose requests the run took: the bulk queue's and the enrolled. */
    int usersLoaded() {
      return users + enrollmentLatenciesMs.size();
    }

    long enrollmentPercentileMs(double p) {
      if (enrollmentLatenciesMs.isEmpty()) {
        return -1;
      }
      List<Long> sorted = enrollmentLatenciesMs.stream().sorted().toList();
      int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
      return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }
  }

  private BackfillBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchmarkMain.main(
        args, Options::parse, options -> BenchmarkMain.status(run(options), Result::correct));
  }

  static List<Result> run(Options options) throws Exception {
    System.setProperty("aws.accessKeyId", "bench");
    System.setProperty("aws.secretAccessKey", "bench");
    List<Result> results = new ArrayList<>();
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        GraphServer neo4j = GraphServer.start(options.neo4j());
        EmbeddedSqs sqs = EmbeddedSqs.start();
        UpstreamSimulator upstream = UpstreamSimulator.start()) {
      for (EndpointFamily family : EndpointFamily.values()) {
        upstream.knobs(family).latency(options.latencyMs(), 0);
      }
      Path flags = Files.createTempFile("bench-flags", ".yaml");
      Files.writeString(
          flags, "flags:\n  consumer_graph_ingestion: { enabled: true, rollout: 100 }\n");
      if (options.warmupUsers() > 0) {
        // A fresh JVM spends a large share of its CPU in the JIT compiler for minutes (29% of the
        // samples of a 10,000-user run without this), which a job running for days does not.
        Configuration overrides = new Configuration();
        overrides.set(JobOptions.PURCHASE_HISTORY_RATE, 1e6);
        Result warm =
            runVariant(
                "warmup",
                options.warmupUsers(),
                overrides,
                options,
                kafka,
                neo4j,
                sqs,
                upstream,
                flags);
        if (!warm.correct()) {
          throw new IllegalStateException("the warm-up backfill did not load every user");
        }
      }
      for (String variant : options.variants()) {
        Configuration overrides = new Configuration();
        int users;
        switch (variant) {
          case "baseline" -> {
            overrides.set(JobOptions.SQS_MAX_IN_FLIGHT, 500);
            overrides.set(JobOptions.PURCHASE_HISTORY_RATE, 1e6);
            users = options.baselineUsers();
          }
          case "defaults" -> {
            overrides.set(JobOptions.PURCHASE_HISTORY_RATE, 1e6);
            users = options.users();
          }
          case "rate-limit" -> {
            overrides.set(JobOptions.PURCHASE_HISTORY_RATE, options.rateLimit());
            users = options.rateLimitUsers();
          }
          default -> throw new IllegalArgumentException("unknown variant " + variant);
        }
        results.add(
            runVariant(variant, users, overrides, options, kafka, neo4j, sqs, upstream, flags));
      }
      if (options.unwindUsers() > 0) {
        results.add(unwind(options.unwindUsers(), neo4j, upstream.catalog()));
      }
    }
    print(results, options);
    BenchmarkJson.write(
        // Its own file: the summary of `run.sh all` reads backfill.json, measured in-process.
        options.neo4j().equals("process") ? "backfill-neo4j-process" : "backfill",
        Map.of(
            "latencyMs", options.latencyMs(),
            "checkpointInterval", options.checkpointInterval().toString(),
            "parallelism", options.parallelism(),
            "variants", options.variants(),
            "neo4j", options.neo4j()),
        results);
    return results;
  }

  private static Result runVariant(
      String variant,
      int users,
      Configuration overrides,
      Options options,
      EmbeddedKafka kafka,
      GraphServer neo4j,
      EmbeddedSqs sqs,
      UpstreamSimulator upstream,
      Path flags)
      throws Exception {
    String prefix = "bench-" + variant + "-user-";
    String bulk = sqs.createQueue("bench-" + variant + "-bulk", Map.of());
    String dlq = sqs.createQueue("bench-" + variant + "-dlq", Map.of());
    boolean probeEnrollments = variant.equals("defaults") && options.enrollments() > 0;
    String enrollmentQueue =
        probeEnrollments ? sqs.createQueue("bench-" + variant + "-enrollment", Map.of()) : "";
    List<String> enrolled =
        probeEnrollments
            ? withHistory(
                upstream.catalog(), "bench-" + variant + "-enrolled-", options.enrollments())
            : List.of();
    for (String topic : List.of("receipts", "factoids", "outcomes", "dead")) {
      kafka.createTopic("bench-" + variant + "-" + topic, 1);
    }
    long withHistory = usersWithHistory(upstream.catalog(), prefix, users);
    Configuration c =
        EmbeddedStackConfig.of(
            kafka.bootstrapServers(),
            neo4j.boltUri(),
            UpstreamEndpoints.onOneHost(upstream.baseUri()));
    c.set(JobOptions.RECEIPTS_TOPIC, "bench-" + variant + "-receipts");
    c.set(JobOptions.FACTOIDS_TOPIC, "bench-" + variant + "-factoids");
    c.set(JobOptions.LOAD_OUTCOMES_TOPIC, "bench-" + variant + "-outcomes");
    c.set(JobOptions.DEAD_LETTER_TOPIC, "bench-" + variant + "-dead");
    c.set(JobOptions.GROUP_ID, "bench-" + variant + "-" + UUID.randomUUID());
    c.set(JobOptions.FLAGS_LOCATION, flags.toString());
    c.set(JobOptions.SQS_QUEUE_URL, bulk);
    c.set(JobOptions.SQS_DEAD_LETTER_QUEUE_URL, dlq);
    c.set(JobOptions.SQS_ENROLLMENT_QUEUE_URL, enrollmentQueue);
    c.set(JobOptions.SQS_ENDPOINT, sqs.endpoint().toString());
    c.set(JobOptions.CHECKPOINT_INTERVAL, options.checkpointInterval());
    options.settings().forEach(c::setString);
    c.addAll(overrides);
    JobConfig config = JobConfig.of(c);

    send(sqs, bulk, prefix, users);
    upstream.resetStats();
    Configuration flink = ConsumerGraphJob.flinkConfiguration(config);
    flink.setString("metrics.reporter.live.factory.class", LiveMetrics.Factory.class.getName());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(options.parallelism());
    ConsumerGraphJob.topology(config, false).build(env);
    long started = System.nanoTime();
    JobClient job = env.executeAsync("bench-backfill-" + variant);
    double tenPercentAt = -1;
    double ninetyPercentAt = -1;
    long requestsAtTen = 0;
    long requestsAtNinety = 0;
    double drainedAt;
    long checkpointBytes;
    CompletableFuture<List<Long>> enrollmentProbe = CompletableFuture.completedFuture(List.of());
    try {
      while (true) {
        long written = count(neo4j, prefix);
        double t = (System.nanoTime() - started) / 1e9;
        if (tenPercentAt < 0 && written >= withHistory / 10) {
          tenPercentAt = t;
          requestsAtTen = upstream.requestCount(EndpointFamily.PURCHASE_HISTORY);
          if (probeEnrollments) {
            enrollmentProbe =
                CompletableFuture.supplyAsync(
                    () -> probeEnrollments(sqs, enrollmentQueue, neo4j, enrolled));
          }
        }
        if (ninetyPercentAt < 0 && written >= withHistory * 9 / 10) {
          ninetyPercentAt = t;
          requestsAtNinety = upstream.requestCount(EndpointFamily.PURCHASE_HISTORY);
        }
        if (written >= withHistory && messages(sqs, bulk) == 0 && enrollmentProbe.isDone()) {
          drainedAt = t;
          // The queue is empty once the checkpoint after the last FullLoad has completed: that
          // checkpoint holds every operator's state for all the users of the run.
          checkpointBytes = (long) LiveMetrics.sum("lastCheckpointFullSize");
          break;
        }
        if (t > 1800) {
          throw new IllegalStateException(variant + ": not done after 30 min");
        }
        // Counting is a range seek over every user of the run: once a second keeps it out of
        // the loads' way (at 250 ms, with the enrollment probe at 20 ms, the two were ~5% of
        // Neo4j's CPU samples) and still resolves the 10% → 90% window of a 10,000-user run
        // to about 1%.
        Thread.sleep(COUNT_EVERY_MS);
      }
    } finally {
      job.cancel().get();
    }
    double phRate =
        (requestsAtNinety - requestsAtTen) / Math.max(0.001, ninetyPercentAt - tenPercentAt);
    long written = count(neo4j, prefix);
    List<Long> latencies = enrollmentProbe.join();
    long deadLetters = messages(sqs, dlq);
    long enrolledLoaded = latencies.stream().filter(ms -> ms >= 0).count();
    boolean correct =
        written == withHistory && deadLetters == 0 && enrolledLoaded == enrolled.size();
    double steady = (withHistory * 0.8) / Math.max(0.001, ninetyPercentAt - tenPercentAt);
    System.out.printf(
        Locale.ROOT,
        "%s: %d users (%d with a history), steady %.1f users/s, drained after %.1f s, Purchase"
            + " History %.1f req/s, last checkpoint %,d bytes%s%n",
        variant,
        users,
        withHistory,
        steady,
        drainedAt,
        phRate,
        checkpointBytes,
        correct
            ? ""
            : "  WRONG: "
                + written
                + " bulk users in Neo4j, "
                + deadLetters
                + " dead letters, "
                + enrolledLoaded
                + "/"
                + enrolled.size()
                + " enrolled users loaded");
    Result result =
        new Result(variant, users, steady, drainedAt, phRate, latencies, checkpointBytes, correct);
    if (!latencies.isEmpty()) {
      System.out.printf(
          Locale.ROOT,
          "%s: %d enrollments during the backfill, request to graph p50 %d ms, p99 %d ms, max %d"
              + " ms (in order, -1 = not in Neo4j after 60 s: %s)%n",
          variant,
          latencies.size(),
          result.enrollmentPercentileMs(50),
          result.enrollmentPercentileMs(99),
          result.enrollmentPercentileMs(100),
          latencies);
    }
    return result;
  }

  /**
   * What Neo4j alone takes on this machine: the hand-written single-writer UNWIND loop of the live
   * benchmark ({@link BaselineWriter}) writing the histories a backfill of {@code users} other
   * users loads, on an emptied graph (the variants' checks are done), with nothing else running.
   * The graph it leaves is checked against figures computed from those histories. Its users/s is
   * the rate the job's backfill is compared with.
   */
  private static Result unwind(int users, GraphServer neo4j, SyntheticCatalog catalog)
      throws Exception {
    long now = System.currentTimeMillis();
    List<String> warmUsers = new ArrayList<>();
    List<String> timedUsers = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      timedUsers.add("bench-unwind-user-" + i);
      if (i < Math.max(1, users / 10)) {
        warmUsers.add("bench-unwind-warmup-user-" + i);
      }
    }
    SyntheticReceipts warm =
        SyntheticReceipts.ofHistories(catalog, warmUsers, now - 365 * DAY, now);
    SyntheticReceipts data =
        SyntheticReceipts.ofHistories(catalog, timedUsers, now - 365 * DAY, now);
    long withHistory = data.deliveries().stream().map(r -> r.userId()).distinct().count();
    GraphCheck.clear(neo4j.driver());
    BaselineWriter.write(neo4j.driver(), warm, BASELINE_ROWS, now); // untimed: plans, JIT
    GraphCheck.clear(neo4j.driver());
    long started = System.nanoTime();
    BaselineWriter.write(neo4j.driver(), data, BASELINE_ROWS, now);
    double seconds = (System.nanoTime() - started) / 1e9;
    Map<String, Long> expected = GraphCheck.expected(data);
    Map<String, Long> actual = GraphCheck.actual(neo4j.driver());
    boolean correct = expected.equals(actual);
    System.out.printf(
        Locale.ROOT,
        "unwind: the hand-written UNWIND writer on the histories of %d users (%d with a history,"
            + " %d receipts and shop orders): %.1f s, %.1f users/s%s%n",
        users,
        withHistory,
        data.deliveries().size(),
        seconds,
        withHistory / seconds,
        correct ? "" : "  GRAPH DIFFERS: expected " + expected + ", got " + actual);
    return new Result("unwind", users, withHistory / seconds, seconds, 0, List.of(), -1, correct);
  }

  /** The run of that variant, if there was one. */
  static Optional<Result> variant(List<Result> results, String variant) {
    return results.stream().filter(r -> r.variant().equals(variant)).findFirst();
  }

  /**
   * Checkpoint bytes per backfilled user: the difference between the {@code defaults} and the
   * {@code baseline} runs' last checkpoints over the difference of their users, which takes out
   * what every checkpoint holds whatever the users (each RocksDB instance's options and manifest
   * files, the sources' splits, the flag snapshot). Empty without both runs and their checkpoint
   * sizes, or when they loaded as many users.
   */
  static OptionalDouble stateBytesPerUser(List<Result> results) {
    Optional<Result> defaults = variant(results, "defaults");
    Optional<Result> baseline = variant(results, "baseline");
    if (defaults.isEmpty()
        || baseline.isEmpty()
        || defaults.get().checkpointBytes() <= 0
        || baseline.get().checkpointBytes() <= 0
        || defaults.get().usersLoaded() == baseline.get().usersLoaded()) {
      return OptionalDouble.empty();
    }
    Result a = defaults.get();
    Result b = baseline.get();
    return OptionalDouble.of(
        (a.checkpointBytes() - b.checkpointBytes()) / (double) (a.usersLoaded() - b.usersLoaded()));
  }

  private static void print(List<Result> results, Options options) {
    System.out.printf(
        Locale.ROOT,
        "%nbackfill, simulator latency %d ms, checkpoint every %s, parallelism %d, Neo4j %s%n",
        options.latencyMs(),
        options.checkpointInterval(),
        options.parallelism(),
        options.neo4j());
    System.out.printf(
        "%-11s %7s %12s %10s %12s %12s %14s%n",
        "variant", "users", "users/s", "drain s", "PH req/s", "vs baseline", "checkpoint KB");
    double baseline =
        variant(results, "baseline").map(Result::steadyUsersPerSecond).orElse(Double.NaN);
    double unwindRate =
        variant(results, "unwind").map(Result::steadyUsersPerSecond).orElse(Double.NaN);
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "%-11s %7d %12.1f %10.1f %12.1f %12s %14s%n",
          r.variant(),
          r.users(),
          r.steadyUsersPerSecond(),
          r.drainSeconds(),
          r.historyRequestsPerSecond(),
          Double.isNaN(baseline)
              ? "-"
              : String.format(Locale.ROOT, "%.2fx", r.steadyUsersPerSecond() / baseline),
          r.checkpointBytes() < 0
              ? "-"
              : String.format(Locale.ROOT, "%,.0f", r.checkpointBytes() / 1024.0));
      if (r.variant().equals("defaults")) {
        System.out.printf(
            Locale.ROOT,
            "  75,000 users at this rate: %.1f min (target: under 10 min = 125 users/s)%n",
            75_000 / r.steadyUsersPerSecond() / 60);
        if (!Double.isNaN(unwindRate)) {
          System.out.printf(
              Locale.ROOT,
              "  vs the hand-written UNWIND writer alone on such histories (%.1f users/s): %.2fx;"
                  + " 125 users/s is %.2fx of what it takes%n",
              unwindRate,
              r.steadyUsersPerSecond() / unwindRate,
              125 / unwindRate);
        }
        OptionalDouble perUser = stateBytesPerUser(results);
        if (perUser.isPresent()) {
          Result b = variant(results, "baseline").orElseThrow();
          System.out.printf(
              Locale.ROOT,
              "  checkpoint bytes per backfilled user (defaults vs baseline: %,d bytes for %d"
                  + " users, %,d for %d): %.0f (target: at most 2 KB)%n",
              r.checkpointBytes(),
              r.usersLoaded(),
              b.checkpointBytes(),
              b.usersLoaded(),
              perUser.getAsDouble());
        }
      }
      if (!r.enrollmentLatenciesMs().isEmpty()) {
        System.out.printf(
            Locale.ROOT,
            "  enrollment request to graph during the backfill (%d): p50 %d ms, p99 %d ms"
                + " (target: p99 under 5,000 ms)%n",
            r.enrollmentLatenciesMs().size(),
            r.enrollmentPercentileMs(50),
            r.enrollmentPercentileMs(99));
      }
      if (r.variant().equals("rate-limit")) {
        double limit = options.rateLimit() * options.parallelism();
        System.out.printf(
            Locale.ROOT,
            "  Purchase History rate %.2f of the limit (%.0f/s per subtask x %d subtasks)%n",
            r.historyRequestsPerSecond() / limit,
            options.rateLimit(),
            options.parallelism());
      }
    }
  }

  private static void send(EmbeddedSqs sqs, String queue, String prefix, int users) {
    String now = Instant.now().toString();
    List<SendMessageBatchRequestEntry> batch = new ArrayList<>();
    for (int i = 0; i < users; i++) {
      String body =
          "{\"event_type\": \"user_load_request\", \"user_id\": \""
              + prefix
              + i
              + "\", \"reason\": \"batch_backfill\", \"requested_at\": \""
              + now
              + "\", \"lookback_days\": 365, \"request_id\": \""
              + UUID.randomUUID()
              + "\", \"priority\": \"low\"}";
      batch.add(SendMessageBatchRequestEntry.builder().id("m" + i).messageBody(body).build());
      if (batch.size() == 10 || i == users - 1) {
        List<SendMessageBatchRequestEntry> entries = List.copyOf(batch);
        sqs.client().sendMessageBatch(b -> b.queueUrl(queue).entries(entries));
        batch.clear();
      }
    }
  }

  /**
   * Enrolls the users one at a time, each when the one before is in Neo4j (at most one a second),
   * and returns each one's time from its request to its graph; -1 for one not there within 60 s.
   */
  private static List<Long> probeEnrollments(
      EmbeddedSqs sqs, String queue, GraphServer neo4j, List<String> users) {
    List<Long> latencies = new ArrayList<>();
    try {
      for (String user : users) {
        long sentAt = System.nanoTime();
        String body =
            "{\"event_type\": \"user_load_request\", \"user_id\": \""
                + user
                + "\", \"reason\": \"enrollment\", \"requested_at\": \""
                + Instant.now()
                + "\", \"lookback_days\": 365, \"request_id\": \""
                + UUID.randomUUID()
                + "\", \"priority\": \"high\"}";
        sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody(body));
        long latency = -1;
        long receivedMs = -1;
        while (System.nanoTime() - sentAt < Duration.ofSeconds(60).toNanos()) {
          if (receivedMs < 0 && visible(sqs, queue) == 0) {
            receivedMs = (System.nanoTime() - sentAt) / 1_000_000;
          }
          if (loaded(neo4j, user)) {
            latency = (System.nanoTime() - sentAt) / 1_000_000;
            break;
          }
          Thread.sleep(ENROLLED_POLL_MS);
        }
        System.out.printf(
            Locale.ROOT,
            "  enrolled %s: taken from its queue after %d ms, in Neo4j after %d ms%n",
            user,
            receivedMs,
            latency);
        latencies.add(latency);
        long spent = (System.nanoTime() - sentAt) / 1_000_000;
        Thread.sleep(Math.max(0, 1000 - spent));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return latencies;
  }

  /** The first {@code n} users named {@code prefix}N with a history (see below). */
  private static List<String> withHistory(SyntheticCatalog catalog, String prefix, int n) {
    List<String> users = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (int i = 0; users.size() < n; i++) {
      if (hasHistory(catalog, prefix + i, now)) {
        users.add(prefix + i);
      }
    }
    return users;
  }

  /** Users whose 365-day history holds at least one matched purchase: what Neo4j will hold. */
  private static long usersWithHistory(SyntheticCatalog catalog, String prefix, int users) {
    long now = System.currentTimeMillis();
    long count = 0;
    for (int i = 0; i < users; i++) {
      if (hasHistory(catalog, prefix + i, now)) {
        count++;
      }
    }
    return count;
  }

  private static boolean hasHistory(SyntheticCatalog catalog, String user, long now) {
    for (HistoryReceipt r : catalog.receiptsFor(user, now - 365 * DAY, now)) {
      if (r.items().stream().anyMatch(item -> !item.fido().isEmpty())) {
        return true;
      }
    }
    for (ShopOrder o : catalog.shopOrdersFor(user, now - 365 * DAY, now)) {
      if (o.lineItems().stream().anyMatch(item -> !item.fido().isEmpty())) {
        return true;
      }
    }
    return false;
  }

  /** Whether the user is in Neo4j with a purchase. */
  private static boolean loaded(GraphServer neo4j, String user) {
    try (Session session = neo4j.driver().session()) {
      return session
          .run(
              "MATCH (u:User {user_id: $u}) RETURN EXISTS { (u)-[:PURCHASED]->() } AS loaded",
              Map.of("u", user))
          .list()
          .stream()
          .anyMatch(r -> r.get("loaded").asBoolean());
    }
  }

  private static long count(GraphServer neo4j, String prefix) {
    try (Session session = neo4j.driver().session()) {
      return session
          .run(
              "MATCH (u:User) WHERE u.user_id STARTS WITH $p AND EXISTS { (u)-[:PURCHASED]->() }"
                  + " RETURN count(u) AS n",
              Map.of("p", prefix))
          .single()
          .get("n")
          .asLong();
    }
  }

  private static long visible(EmbeddedSqs sqs, String queue) {
    return Long.parseLong(
        sqs.client()
            .getQueueAttributes(
                b ->
                    b.queueUrl(queue)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
            .attributes()
            .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
  }

  private static long messages(EmbeddedSqs sqs, String queue) {
    Map<QueueAttributeName, String> a =
        sqs.client()
            .getQueueAttributes(
                b ->
                    b.queueUrl(queue)
                        .attributeNames(
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                            QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE))
            .attributes();
    return Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
        + Long.parseLong(a.get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE));
  }
}
