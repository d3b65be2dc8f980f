package io.consumergraph.benchmarks;

import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.simulator.EndpointFamily;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import io.consumergraph.sink.neo4j.Neo4jGraphSink;
import io.consumergraph.sink.neo4j.Neo4jSinkConfig;
import io.consumergraph.sink.neo4j.SinkStepProfile;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Driver;

/**
 * Throughput of the graph write path on one synthetic receipt stream, against an in-process Neo4j:
 *
 * <ul>
 *   <li>baseline: the hand-written single-writer UNWIND loop the design's target is stated in;
 *   <li>sink: the sink's writer ({@link Neo4jGraphSink}) driven directly, no Flink;
 *   <li>per-receipt: the baseline's statements with one managed transaction per receipt, as the
 *       replaced worker wrote (its aggregates counted re-sends twice; these keep the id sets, so
 *       the graph check holds);
 *   <li>pipeline: Kafka → Flink MiniCluster (the production topology, bounded) → Neo4j.
 * </ul>
 *
 * Each round runs every variant on an emptied graph and checks the graph against figures computed
 * from the receipts. The machine is shared and noisy, so the report is medians over rounds and
 * ratios against the baseline measured in the same run, never absolute figures alone.
 */
public final class GraphWriteBenchmark {

  private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();
  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private GraphWriteBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchmarkMain.main(args, BenchmarkOptions::parse, GraphWriteBenchmark::run);
  }

  static int run(BenchmarkOptions options) throws Exception {
    long nowMs = System.currentTimeMillis();
    SyntheticCatalog catalog =
        new SyntheticCatalog(
            SyntheticCatalog.DEFAULT_SEED,
            options.products(),
            SyntheticCatalog.DEFAULT_RETAILER_COUNT);
    SyntheticReceipts data =
        SyntheticReceipts.generate(
            catalog,
            options.seed(),
            options.receipts(),
            options.users(),
            options.resendShare(),
            nowMs);
    Map<String, Long> expected = GraphCheck.expected(data);
    say(
        "data: %d deliveries (%d distinct receipts), %d item rows, %d users, %d products in"
            + " catalog; expected graph %s",
        data.deliveries().size(),
        data.distinctReceipts(),
        data.itemRows(),
        options.users(),
        options.products(),
        expected);
    // The per-receipt writer on fewer deliveries of the same kind, its time scaled to all of them.
    SyntheticReceipts perReceiptData =
        options.perReceiptReceipts() == options.receipts()
            ? data
            : SyntheticReceipts.generate(
                catalog,
                options.seed(),
                options.perReceiptReceipts(),
                options.users(),
                options.resendShare(),
                nowMs);
    Map<String, Long> perReceiptExpected =
        perReceiptData == data ? expected : GraphCheck.expected(perReceiptData);
    double perReceiptScale = (double) data.deliveries().size() / perReceiptData.deliveries().size();
    if (perReceiptData != data && options.variants().contains("per-receipt")) {
      say(
          "per-receipt writes %d deliveries; its time is scaled by %.2f to all %d",
          perReceiptData.deliveries().size(), perReceiptScale, data.deliveries().size());
    }
    boolean pipeline = options.variants().contains("pipeline");
    EmbeddedKafka kafka = null;
    UpstreamSimulator upstream = null;
    Pipeline flink = null;
    try (GraphServer neo4j = GraphServer.start(options.neo4j())) {
      Driver driver = neo4j.driver();
      BaselineWriter.createConstraints(driver);
      Neo4jGraphSink sink =
          new Neo4jGraphSink(
              Neo4jSinkConfig.withoutAuth(neo4j.boltUri()).withBatchRows(options.sinkBatchRows()));
      if (pipeline) {
        kafka = EmbeddedKafka.start();
        upstream = UpstreamSimulator.start(catalog, 0);
        flink = new Pipeline(kafka, neo4j.boltUri(), upstream, options);
        flink.produce(Pipeline.TOPIC, data, nowMs);
      }

      // Untimed: plans Cypher, loads classes and JITs the hot paths of both writers.
      boolean warmupCorrect = true;
      if (options.warmupReceipts() > 0) {
        SyntheticReceipts warmup =
            SyntheticReceipts.generate(
                catalog,
                options.seed() + 1,
                options.warmupReceipts(),
                options.users(),
                options.resendShare(),
                nowMs);
        GraphCheck.clear(driver);
        BaselineWriter.write(driver, warmup, options.baselineChunkRows(), nowMs);
        GraphCheck.clear(driver);
        DirectSink.write(sink, warmup, nowMs);
        if (flink != null) {
          // One untimed pipeline run: a fresh JVM spends most of the first run JIT-compiling
          // Flink, RocksDB and Kafka client paths (the compiler threads took ~45% of the CPU),
          // which a long-running job pays once, not per record. Its receipts are other ones, on
          // a topic of their own, so it can be shorter than the measured run.
          SyntheticReceipts pipelineWarmup =
              options.pipelineWarmupReceipts() == options.warmupReceipts()
                  ? warmup
                  : SyntheticReceipts.generate(
                      catalog,
                      options.seed() + 1,
                      options.pipelineWarmupReceipts(),
                      options.users(),
                      options.resendShare(),
                      nowMs);
          flink.produce(Pipeline.WARMUP_TOPIC, pipelineWarmup, nowMs);
          GraphCheck.clear(driver);
          Pipeline.Run run = flink.run(Pipeline.WARMUP_TOPIC, pipelineWarmup.distinctReceipts());
          Map<String, Long> wanted = GraphCheck.expected(pipelineWarmup);
          Map<String, Long> actual = GraphCheck.actual(driver);
          warmupCorrect = wanted.equals(actual);
          say(
              "pipeline warm-up run: %d deliveries, %.2f s (not counted)  %s",
              pipelineWarmup.deliveries().size(),
              run.netSeconds(),
              warmupCorrect ? "graph OK" : "GRAPH DIFFERS: " + diff(wanted, actual));
        }
      }

      Map<String, List<Double>> seconds = new LinkedHashMap<>();
      Map<String, Double> lastPipelineMetrics = Map.of();
      List<Double> pipelineWall = new ArrayList<>();
      List<Double> steady = new ArrayList<>();
      boolean allCorrect = warmupCorrect;
      for (int round = 1; round <= options.rounds(); round++) {
        for (String variant : options.variants()) {
          GraphCheck.clear(driver);
          double s;
          long jitBefore = JIT.getTotalCompilationTime();
          long cpuBefore = PROCESS.getProcessCpuTime();
          long started = System.nanoTime();
          switch (variant) {
            case "baseline" -> {
              BaselineWriter.write(driver, data, options.baselineChunkRows(), nowMs);
              s = (System.nanoTime() - started) / 1e9;
            }
            case "per-receipt" -> {
              // What the replaced worker did: one managed transaction per receipt.
              BaselineWriter.write(driver, perReceiptData, 1, nowMs);
              s = (System.nanoTime() - started) / 1e9 * perReceiptScale;
            }
            case "sink" -> {
              DirectSink.write(sink, data, nowMs);
              s = (System.nanoTime() - started) / 1e9;
            }
            default -> {
              long[] before = upstreamRequests(upstream);
              Pipeline.Run run = flink.run(Pipeline.TOPIC, data.distinctReceipts());
              long[] after = upstreamRequests(upstream);
              say(
                  "round %d pipeline enrichment requests: FPS %d, category %d, retailer %d",
                  round, after[0] - before[0], after[1] - before[1], after[2] - before[2]);
              s = run.netSeconds();
              pipelineWall.add(run.wallSeconds());
              // The same rate over all deliveries: what the pipeline writes once it runs.
              steady.add(run.steadySeconds() > 0 ? run.steadySeconds() / 0.8 : s);
              lastPipelineMetrics = run.metrics();
            }
          }
          double wall = (System.nanoTime() - started) / 1e9;
          // The CPU this JVM spent meanwhile (Neo4j too unless it runs in a process of its own),
          // and how much of it went to JIT compiling: on 2 cores both limit what Neo4j gets.
          say(
              "round %d %s used %.2f cores, %.1f s of it JIT compiling",
              round,
              variant,
              (PROCESS.getProcessCpuTime() - cpuBefore) / 1e9 / wall,
              (JIT.getTotalCompilationTime() - jitBefore) / 1000.0);
          Map<String, Long> wanted = variant.equals("per-receipt") ? perReceiptExpected : expected;
          Map<String, Long> actual = GraphCheck.actual(driver);
          boolean correct = actual.equals(wanted);
          allCorrect &= correct;
          seconds.computeIfAbsent(variant, v -> new ArrayList<>()).add(s);
          say(
              "round %d %-8s %7.2f s  %7.0f receipts/s  %s  (ended at %d ms)",
              round,
              variant,
              s,
              data.deliveries().size() / s,
              correct ? "graph OK" : "GRAPH DIFFERS: " + diff(wanted, actual),
              System.currentTimeMillis());
        }
      }

      if (!steady.isEmpty()) {
        seconds.put("pipeline-steady", steady);
      }
      report(options, data, seconds, pipelineWall);
      writeJson(options, data, seconds, allCorrect);
      if (pipeline) {
        reportPipelineMetrics(lastPipelineMetrics);
      }
      if (options.profileSteps()) {
        profileSteps(driver, data, options, nowMs);
      }
      if (!allCorrect) {
        say("FAILED: at least one variant wrote a graph that differs from the expected one");
        return 1;
      }
      return 0;
    } finally {
      if (flink != null) flink.close();
      if (upstream != null) upstream.close();
      if (kafka != null) kafka.close();
    }
  }

  /** Per variant: seconds per round, median receipts/s, median of per-round ratios to (a). */
  private static void writeJson(
      BenchmarkOptions options,
      SyntheticReceipts data,
      Map<String, List<Double>> seconds,
      boolean correct)
      throws java.io.IOException {
    int deliveries = data.deliveries().size();
    Map<String, Object> variants = new LinkedHashMap<>();
    seconds.forEach(
        (variant, list) -> {
          Map<String, Object> figures = new LinkedHashMap<>();
          figures.put("seconds", list);
          figures.put("receiptsPerSecond", deliveries / median(list));
          if (seconds.containsKey("baseline")) {
            List<Double> perRound = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
              perRound.add(seconds.get("baseline").get(i) / list.get(i));
            }
            figures.put("vsBaseline", median(perRound));
          }
          variants.put(variant, figures);
        });
    Map<String, Object> results = new LinkedHashMap<>();
    results.put("receipts", deliveries);
    results.put("variants", variants);
    if (seconds.containsKey("pipeline") && seconds.containsKey("per-receipt")) {
      List<Double> perRound = new ArrayList<>();
      for (int i = 0; i < seconds.get("pipeline").size(); i++) {
        perRound.add(seconds.get("per-receipt").get(i) / seconds.get("pipeline").get(i));
      }
      results.put("pipelineVsPerReceipt", median(perRound));
    }
    if (seconds.containsKey("pipeline-steady") && seconds.containsKey("per-receipt")) {
      List<Double> perRound = new ArrayList<>();
      for (int i = 0; i < seconds.get("pipeline-steady").size(); i++) {
        perRound.add(seconds.get("per-receipt").get(i) / seconds.get("pipeline-steady").get(i));
      }
      results.put("pipelineSteadyVsPerReceipt", median(perRound));
    }
    results.put("correct", correct);
    BenchmarkJson.write(
        options.neo4j().equals("process") ? "live-neo4j-process" : "live",
        Map.of(
            "receipts", options.receipts(),
            "perReceiptReceipts", options.perReceiptReceipts(),
            "pipelineWarmupReceipts",
                options.warmupReceipts() > 0 ? options.pipelineWarmupReceipts() : 0,
            "rounds", options.rounds(),
            "users", options.users(),
            "variants", options.variants(),
            "neo4j", options.neo4j()),
        results);
  }

  private static void report(
      BenchmarkOptions options,
      SyntheticReceipts data,
      Map<String, List<Double>> seconds,
      List<Double> pipelineWall) {
    int deliveries = data.deliveries().size();
    long rows = data.itemRows();
    double baseline = median(seconds.get("baseline"));
    say("");
    say(
        "medians of %d rounds (%d receipts, %d item rows; receipts/s counts every delivery):",
        options.rounds(), deliveries, rows);
    say("%-15s %9s %12s %14s %10s", "variant", "seconds", "receipts/s", "item rows/s", "vs base");
    seconds.forEach(
        (variant, list) -> {
          double s = median(list);
          say(
              "%-15s %9.2f %12.0f %14.0f %9.2fx",
              variant, s, deliveries / s, rows / s, baseline / s);
        });
    // The load of a shared machine drifts between rounds; a ratio within one round, where the
    // variants ran back to back, is steadier than a ratio of medians taken over all rounds.
    for (String[] ratio :
        new String[][] {
          {"sink", "b/a"}, {"pipeline", "c/a"}, {"pipeline-steady", "c'/a"}, {"per-receipt", "d/a"}
        }) {
      List<Double> variant = seconds.get(ratio[0]);
      if (variant == null) {
        continue;
      }
      List<Double> perRound = new ArrayList<>();
      for (int i = 0; i < variant.size(); i++) {
        perRound.add(seconds.get("baseline").get(i) / variant.get(i));
      }
      say(
          "ratio %s (%s / baseline throughput): median of per-round ratios %.2f (rounds: %s),"
              + " ratio of medians %.2f",
          ratio[1], ratio[0], median(perRound), format(perRound), baseline / median(variant));
    }
    if (seconds.containsKey("pipeline") && seconds.containsKey("per-receipt")) {
      List<Double> perRound = new ArrayList<>();
      for (int i = 0; i < seconds.get("pipeline").size(); i++) {
        perRound.add(seconds.get("per-receipt").get(i) / seconds.get("pipeline").get(i));
      }
      say(
          "ratio c/d (pipeline / per-receipt writer throughput): median of per-round ratios %.2f"
              + " (rounds: %s); target >= 5",
          median(perRound), format(perRound));
    }
    if (seconds.containsKey("pipeline")) {
      say(
          "pipeline time = Flink net job runtime (deploy + run); wall incl. MiniCluster start-up:"
              + " median %.2f s",
          median(pipelineWall));
    }
  }

  private static void reportPipelineMetrics(Map<String, Double> metrics) {
    if (metrics.isEmpty()) {
      return;
    }
    say("");
    say("pipeline, last round, Flink metrics summed over subtasks (time in s):");
    metrics.forEach(
        (key, value) ->
            say(
                "  %-90s %10s",
                key,
                key.endsWith("Ms")
                    ? String.format("%.1f", value / 1000)
                    : String.format("%.0f", value)));
  }

  private static void profileSteps(
      Driver driver, SyntheticReceipts data, BenchmarkOptions options, long nowMs) {
    List<GraphUpdate> updates = new ArrayList<>();
    for (SyntheticReceipts.Receipt r : data.deliveries()) {
      updates.add(data.update(r, nowMs));
    }
    say("");
    say(
        "sink statements one by one (batches of %d rows, each step its own tx):",
        options.sinkBatchRows());
    for (boolean profile : new boolean[] {false, true}) {
      GraphCheck.clear(driver);
      Map<String, long[]> perKind =
          SinkStepProfile.run(driver, updates, options.sinkBatchRows(), profile);
      long total = perKind.values().stream().mapToLong(f -> f[0]).sum();
      say(profile ? "  with PROFILE (db hits; timing inflated by profiling):" : "  timed:");
      perKind.forEach(
          (kind, f) ->
              say(
                  "    %-15s %8.2f s %5.1f%%  %8d rows in %4d statements%s",
                  kind,
                  f[0] / 1e9,
                  100.0 * f[0] / total,
                  f[1],
                  f[2],
                  profile ? String.format("  %,12d db hits", f[3]) : ""));
    }
    // The plan of the heaviest statement on a warm graph, to see which operator costs.
    List<GraphUpdate> sample = updates.subList(0, Math.min(400, updates.size()));
    for (String kind : List.of("purchased", "shops_in")) {
      say(
          "  plan of '%s' on %d updates:%n%s",
          kind, sample.size(), SinkStepProfile.plan(driver, kind, sample));
    }
  }

  /** Requests the simulator has answered so far: FPS, category, retailer. */
  private static long[] upstreamRequests(UpstreamSimulator upstream) {
    return new long[] {
      upstream.requestCount(EndpointFamily.FPS),
      upstream.requestCount(EndpointFamily.CATEGORY),
      upstream.requestCount(EndpointFamily.RETAILER)
    };
  }

  private static Map<String, String> diff(Map<String, Long> expected, Map<String, Long> actual) {
    Map<String, String> diff = new LinkedHashMap<>();
    expected.forEach(
        (k, v) -> {
          if (!v.equals(actual.get(k))) {
            diff.put(k, "expected " + v + " got " + actual.get(k));
          }
        });
    return diff;
  }

  private static String format(List<Double> values) {
    return values.stream().map(v -> String.format("%.2f", v)).toList().toString();
  }

  static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  static void say(String format, Object... args) {
    System.out.println(String.format(format, args));
    System.out.flush();
  }
}
