package io.consumergraph.benchmarks;

import io.consumergraph.flags.FlagDocumentFetcher;
import io.consumergraph.job.ConsumerGraphJob;
import io.consumergraph.job.config.JobConfig;
import io.consumergraph.job.config.JobOptions;
import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.operators.dedup.PurchaseDeduplicator;
import io.consumergraph.operators.flags.FlagUpdate;
import io.consumergraph.operators.flags.FlagUpdateSource;
import io.consumergraph.operators.gate.AutoLoad;
import io.consumergraph.operators.gate.GateInput;
import io.consumergraph.operators.gate.UserGate;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.state.rocksdb.RocksDBOptions;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;

/**
 * The gate's and the deduplicator's keyed state for many users, and a killswitch release of
 * everything held, on the job's own state backend (RocksDB, incremental checkpoints, unaligned
 * after the aligned timeout) in a MiniCluster.
 *
 * <p>With the receipt killswitch on, one synthetic receipt purchase per user (more with {@code
 * --purchases-per-user}) goes through the real {@link UserGate} (which holds them all) and {@link
 * PurchaseDeduplicator}. Once all are held and a checkpoint has covered them, the flag document
 * turns the killswitch off and the gate releases them in batches of {@code --release-batch}; the
 * run measures the release and every checkpoint during it, then the state left afterwards (the
 * deduplicator's seen ids: what a user costs in steady state). Figures: RocksDB bytes (the SST and
 * log files of the state backend's working directory) and the last checkpoint's full size, per
 * user, held and after the release; release time and rate; checkpoints completed and failed during
 * the release and the longest. Checks: every purchase released once and seen once by the
 * deduplicator, no checkpoint failed.
 */
public final class StateBenchmark {

  record Options(
      List<Integer> users,
      int purchasesPerUser,
      int releaseBatch,
      Duration checkpointInterval,
      int parallelism,
      Duration timeout,
      List<String> variants,
      int sinkRate,
      Map<String, String> flinkSettings,
      String name) {

    static Options parse(String[] args) {
      Map<String, String> given = new LinkedHashMap<>();
      Map<String, String> settings = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--set") && i + 1 < args.length && args[i + 1].indexOf('=') > 0) {
          String kv = args[++i];
          settings.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
          continue;
        }
        if (args[i].equals("--help") || !args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException(
              "options: --users 100000,1000000 (one run per figure) --purchases-per-user N (1)"
                  + " --release-batch N (the job's flags.killswitch.release-batch, "
                  + UserGate.DEFAULT_RELEASE_BATCH
                  + ") --checkpoint-interval 10s --parallelism N (2) --timeout 900s (per run)"
                  + " --variants batched,unbounded (unbounded: the whole release in one call, as"
                  + " before batches) --sink-rate N (purchases/s the sink takes, all subtasks:"
                  + " 5000, about what the Neo4j sink writes; 0 = unthrottled) --set key=value (a"
                  + " Flink setting over the job's, e.g. state.backend.rocksdb.use-bloom-filter=true)"
                  + " --name NAME (of the JSON file: state)");
        }
        given.put(args[i].substring(2), args[++i]);
      }
      for (String key : given.keySet()) {
        if (!List.of(
                "users",
                "purchases-per-user",
                "release-batch",
                "checkpoint-interval",
                "parallelism",
                "timeout",
                "variants",
                "sink-rate",
                "name")
            .contains(key)) {
          throw new IllegalArgumentException("unknown option --" + key);
        }
      }
      List<Integer> users = new ArrayList<>();
      for (String s : given.getOrDefault("users", "100000,1000000").split(",")) {
        users.add(Integer.parseInt(s.trim()));
      }
      Options options =
          new Options(
              List.copyOf(users),
              Integer.parseInt(given.getOrDefault("purchases-per-user", "1")),
              Integer.parseInt(
                  given.getOrDefault(
                      "release-batch", String.valueOf(UserGate.DEFAULT_RELEASE_BATCH))),
              BenchmarkOptions.duration(given.getOrDefault("checkpoint-interval", "10s")),
              Integer.parseInt(given.getOrDefault("parallelism", "2")),
              BenchmarkOptions.duration(given.getOrDefault("timeout", "900s")),
              List.of(given.getOrDefault("variants", "batched,unbounded").split(",")),
              Integer.parseInt(given.getOrDefault("sink-rate", "5000")),
              Map.copyOf(settings),
              given.getOrDefault("name", "state"));
      if (!List.of("batched", "unbounded").containsAll(options.variants())) {
        throw new IllegalArgumentException("--variants: batched, unbounded");
      }
      if (users.stream().anyMatch(n -> n < 1)
          || options.purchasesPerUser() < 1
          || options.releaseBatch() < 1
          || options.parallelism() < 1
          || options.sinkRate() < 0) {
        throw new IllegalArgumentException(
            "--users, --purchases-per-user, --release-batch and --parallelism must be positive");
      }
      return options;
    }
  }

  /** One run's figures. */
  record Result(
      String variant,
      int releaseBatch,
      int users,
      long purchases,
      double holdSeconds,
      long rocksDbBytesHeld,
      long checkpointBytesHeld,
      double releaseSeconds,
      long checkpointsDuringRelease,
      long longestCheckpointMsDuringRelease,
      long longestMsWithoutCheckpoint,
      long failedCheckpoints,
      long rocksDbBytesAfter,
      long checkpointBytesAfter,
      long released,
      long firstSeen,
      boolean correct) {

    double releasedPerSecond() {
      return purchases / releaseSeconds;
    }
  }

  private static final String HOLD =
      "flags:\n"
          + "  consumer_graph_ingestion: { enabled: true, rollout: 100 }\n"
          + "  consumer_graph_receipt_killswitch: { enabled: true }\n";

  private static final String RELEASE =
      "flags:\n"
          + "  consumer_graph_ingestion: { enabled: true, rollout: 100 }\n"
          + "  consumer_graph_receipt_killswitch: { enabled: false }\n";

  private StateBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchmarkMain.main(
        args, Options::parse, options -> BenchmarkMain.status(run(options), Result::correct));
  }

  static List<Result> run(Options options) throws Exception {
    List<Result> results = new ArrayList<>();
    for (int users : options.users()) {
      for (String variant : options.variants()) {
        int batch = variant.equals("unbounded") ? Integer.MAX_VALUE : options.releaseBatch();
        results.add(measure(users, variant, batch, options));
      }
    }
    print(results, options);
    BenchmarkJson.write(
        options.name(),
        Map.of(
            "purchasesPerUser", options.purchasesPerUser(),
            "releaseBatch", options.releaseBatch(),
            "checkpointInterval", options.checkpointInterval().toString(),
            "sinkRate", options.sinkRate(),
            "set", options.flinkSettings(),
            "parallelism", options.parallelism()),
        results);
    return results;
  }

  private static Result measure(int users, String variant, int releaseBatch, Options options)
      throws Exception {
    Path work = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "state-");
    Path flags = work.resolve("flags.yaml");
    Files.writeString(flags, HOLD, StandardCharsets.UTF_8);
    Path rocksDb = work.resolve("rocksdb");
    Path checkpoints = work.resolve("checkpoints");
    Configuration c = new Configuration();
    c.set(JobOptions.CHECKPOINT_INTERVAL, options.checkpointInterval());
    Configuration flink = ConsumerGraphJob.flinkConfiguration(JobConfig.of(c));
    flink.set(RocksDBOptions.LOCAL_DIRECTORIES, rocksDb.toString());
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpoints.toUri().toString());
    flink.set(TaskManagerOptions.NUM_TASK_SLOTS, options.parallelism() + 1);
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    flink.setString("metrics.reporter.live.factory.class", LiveMetrics.Factory.class.getName());
    options.flinkSettings().forEach(flink::setString);

    long purchases = (long) users * options.purchasesPerUser();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    env.setParallelism(options.parallelism());
    build(env, flags, users, releaseBatch, options);
    JobClient job = env.executeAsync("state-benchmark-" + users);
    try {
      long started = System.nanoTime();
      StateBenchmark.job = job;
      await(() -> LiveMetrics.sum("heldNow") >= purchases, options.timeout(), "all held");
      double holdSeconds = (System.nanoTime() - started) / 1e9;
      awaitCheckpoints(2, options);
      long rocksHeld = size(rocksDb);
      long checkpointHeld = (long) LiveMetrics.sum("lastCheckpointFullSize");

      long completedBefore = (long) LiveMetrics.sum("numberOfCompletedCheckpoints");
      long failedBefore = (long) LiveMetrics.sum("numberOfFailedCheckpoints");
      long releaseStarted = System.nanoTime();
      Files.writeString(flags, RELEASE, StandardCharsets.UTF_8);
      // The longest checkpoint, and the longest time without one completing, from the release's
      // start to the first checkpoint after its end.
      long[] longest = {0};
      long[] longestGapNanos = {0};
      long[] seenCompleted = {completedBefore};
      long[] lastCompletion = {releaseStarted};
      Runnable watch =
          () -> {
            long completed = (long) LiveMetrics.sum("numberOfCompletedCheckpoints");
            if (completed != seenCompleted[0]) {
              long now = System.nanoTime();
              seenCompleted[0] = completed;
              longest[0] = Math.max(longest[0], (long) LiveMetrics.sum("lastCheckpointDuration"));
              longestGapNanos[0] = Math.max(longestGapNanos[0], now - lastCompletion[0]);
              lastCompletion[0] = now;
            }
          };
      await(
          () -> {
            watch.run();
            return LiveMetrics.sum("purchasesFirstSeen") >= purchases
                && LiveMetrics.sum("heldNow") == 0;
          },
          options.timeout(),
          "all released");
      double releaseSeconds = (System.nanoTime() - releaseStarted) / 1e9;
      long during = (long) LiveMetrics.sum("numberOfCompletedCheckpoints") - completedBefore;
      long afterRelease = seenCompleted[0];
      await(
          () -> {
            watch.run();
            return seenCompleted[0] > afterRelease;
          },
          options.checkpointInterval().multipliedBy(4).plusMinutes(2),
          "a checkpoint after the release");
      long failed = (long) LiveMetrics.sum("numberOfFailedCheckpoints") - failedBefore;
      awaitCheckpoints(1, options);
      long rocksAfter = size(rocksDb);
      long checkpointAfter = (long) LiveMetrics.sum("lastCheckpointFullSize");
      long released = (long) LiveMetrics.sum("released");
      long firstSeen = (long) LiveMetrics.sum("purchasesFirstSeen");
      long duplicates = (long) LiveMetrics.sum("duplicatesDropped");
      boolean correct =
          released == purchases && firstSeen == purchases && duplicates == 0 && failed == 0;
      Result result =
          new Result(
              variant,
              releaseBatch,
              users,
              purchases,
              holdSeconds,
              rocksHeld,
              checkpointHeld,
              releaseSeconds,
              during,
              longest[0],
              longestGapNanos[0] / 1_000_000,
              failed,
              rocksAfter,
              checkpointAfter,
              released,
              firstSeen,
              correct);
      System.out.printf(
          Locale.ROOT,
          "%s, %,d users: held in %.1f s, released in %.1f s (%,.0f/s), %d checkpoints during the"
              + " release (longest %d ms, %d failed), at most %.1f s without one%s%n",
          variant,
          users,
          holdSeconds,
          releaseSeconds,
          result.releasedPerSecond(),
          during,
          longest[0],
          failed,
          longestGapNanos[0] / 1e9,
          correct
              ? ""
              : String.format(
                  Locale.ROOT,
                  "  WRONG: %d purchases, %d released, %d seen, %d duplicates, %d failed"
                      + " checkpoints",
                  purchases,
                  released,
                  firstSeen,
                  duplicates,
                  failed));
      return result;
    } finally {
      job.cancel().get();
      deleteRecursively(work);
    }
  }

  /** Purchases → gate (flag snapshots broadcast) → deduplicator → discarded, as in the job. */
  private static void build(
      StreamExecutionEnvironment env, Path flags, int users, int releaseBatch, Options options) {
    int perUser = options.purchasesPerUser();
    long now = System.currentTimeMillis();
    DataGeneratorSource<GateInput> generator =
        new DataGeneratorSource<>(
            index -> {
              long i = index;
              String user = String.format(Locale.ROOT, "user-%08d", i % users);
              return GateInput.purchase(purchase(user, "receipt-" + i, now - i % 86_400_000L));
            },
            (long) users * perUser,
            TypeInformation.of(GateInput.class));
    SingleOutputStreamOperator<FlagUpdate> flagUpdates =
        env.fromSource(
                FlagUpdateSource.continuous(
                    flags.toString(),
                    FlagDocumentFetcher.Settings.defaults(),
                    Duration.ofSeconds(1)),
                WatermarkStrategy.noWatermarks(),
                "flags",
                TypeInformation.of(FlagUpdate.class))
            .uid("flags-source")
            .setParallelism(1);
    BroadcastStream<FlagUpdate> snapshots =
        flagUpdates.filter(FlagUpdate::isBroadcast).setParallelism(1).broadcast(UserGate.FLAGS);
    SingleOutputStreamOperator<PurchaseEvent> admitted =
        env.fromSource(generator, WatermarkStrategy.noWatermarks(), "purchases")
            .uid("purchases")
            .keyBy(GateInput::userId)
            .connect(snapshots)
            .process(new UserGate(Duration.ofSeconds(60), AutoLoad.Settings.off(), releaseBatch))
            .name("user-gate")
            .uid("user-gate");
    DataStreamUtils.reinterpretAsKeyedStream(admitted, PurchaseEvent::userId)
        .process(new PurchaseDeduplicator(Duration.ofDays(7)))
        .name("dedup-purchases")
        .uid("dedup-purchases")
        .map(new Paced<>((double) options.sinkRate() / options.parallelism()))
        .name("paced")
        .sinkTo(new DiscardingSink<>())
        .name("discard");
  }

  /** Lets through at most {@code perSecond} records a second (none: unthrottled), like a sink. */
  static final class Paced<T> implements MapFunction<T, T> {
    private static final long serialVersionUID = 1L;

    private final double perSecond;
    private transient long next;

    Paced(double perSecond) {
      this.perSecond = perSecond;
    }

    @Override
    public T map(T value) {
      if (perSecond > 0) {
        long now = System.nanoTime();
        next = Math.max(next, now) + (long) (1e9 / perSecond);
        if (next - now > 1_000_000) {
          LockSupport.parkNanos(next - now);
        }
      }
      return value;
    }
  }

  /** A receipt purchase of three items, its ids and strings the length of production ones. */
  static PurchaseEvent purchase(String user, String receiptId, long timeMs) {
    PurchasedItem[] items = new PurchasedItem[3];
    for (int i = 0; i < items.length; i++) {
      items[i] =
          new PurchasedItem(
              "fido-" + (receiptId.hashCode() & 0xffff) + "-" + i,
              "ITEM " + receiptId.hashCode() + " " + i,
              "Farm Brand",
              1,
              4.99);
    }
    return new PurchaseEvent(
        user,
        receiptId,
        Channel.RECEIPT,
        Origin.RECEIPT_STREAM,
        timeMs,
        "retailer-0042",
        "Neighbourhood Grocer",
        items);
  }

  private static void awaitCheckpoints(int more, Options options) throws Exception {
    long target = (long) LiveMetrics.sum("numberOfCompletedCheckpoints") + more;
    await(
        () -> LiveMetrics.sum("numberOfCompletedCheckpoints") >= target,
        options.checkpointInterval().multipliedBy(more * 4L).plusMinutes(2),
        more + " checkpoints");
  }

  /** The running job: a wait ends with its failure when it stops. */
  private static JobClient job;

  private static void await(BooleanSupplier done, Duration timeout, String what) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (job.getJobStatus().get().isGloballyTerminalState()) {
        job.getJobExecutionResult().get();
        throw new IllegalStateException("the job ended while waiting for " + what);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("timed out after " + timeout + " waiting for " + what);
      }
      Thread.sleep(100);
    }
  }

  /** Bytes of the regular files under {@code dir}. */
  static long size(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0; // a file RocksDB removed while walking
                }
              })
          .sum();
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.deleteIfExists(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }

  private static void print(List<Result> results, Options options) {
    System.out.printf(
        Locale.ROOT,
        "%nstate: %d purchase(s) per user held by the receipt killswitch, then released (batched:"
            + " %,d per subtask a second) to a sink taking %,d/s; parallelism %d, checkpoints every"
            + " %s%n",
        options.purchasesPerUser(),
        options.releaseBatch(),
        options.sinkRate(),
        options.parallelism(),
        options.checkpointInterval());
    System.out.printf(
        "%-10s %-10s %12s %12s %12s %12s %10s %12s %10s %10s %12s%n",
        "variant",
        "users",
        "held B/user",
        "ckpt B/user",
        "after B/user",
        "ckpt after",
        "release s",
        "released/s",
        "ckpts",
        "longest ms",
        "max gap s");
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "%-10s %-10d %12.0f %12.0f %12.0f %12.0f %10.1f %12.0f %10d %10d %12.1f%s%n",
          r.variant(),
          r.users(),
          (double) r.rocksDbBytesHeld() / r.users(),
          (double) r.checkpointBytesHeld() / r.users(),
          (double) r.rocksDbBytesAfter() / r.users(),
          (double) r.checkpointBytesAfter() / r.users(),
          r.releaseSeconds(),
          r.releasedPerSecond(),
          r.checkpointsDuringRelease(),
          r.longestCheckpointMsDuringRelease(),
          r.longestMsWithoutCheckpoint() / 1000.0,
          r.correct() ? "" : "  WRONG");
    }
  }
}
