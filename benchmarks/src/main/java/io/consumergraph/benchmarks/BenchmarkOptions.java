package io.consumergraph.benchmarks;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Command-line options of {@link GraphWriteBenchmark}; see {@link #USAGE}. */
record BenchmarkOptions(
    int receipts,
    int perReceiptReceipts,
    int users,
    int products,
    double resendShare,
    long seed,
    int rounds,
    Set<String> variants,
    int baselineChunkRows,
    int sinkBatchRows,
    int parallelism,
    int partitions,
    Duration checkpointInterval,
    Map<String, String> jobSettings,
    boolean profileSteps,
    int warmupReceipts,
    int pipelineWarmupReceipts,
    String neo4j) {

  static final String USAGE =
      """
      usage: benchmarks/run.sh [options]
        --receipts N            deliveries, re-sends included (20000)
        --per-receipt-receipts N
                                the per-receipt writer writes N deliveries of the same kind
                                (same seed, users and catalog) and its time is scaled to
                                --receipts: at ~300 receipts/s it would take minutes per round
                                (all of --receipts)
        --users N               distinct users (2000)
        --products N            catalog products (5000; ~47% categorised)
        --resend F              share of deliveries that re-send an earlier receipt (0.05)
        --seed S                data seed (42)
        --rounds N              measured rounds; medians are reported (3)
        --variants LIST         baseline,sink,pipeline,per-receipt (all); the baseline always runs
        --baseline-rows N       item rows per baseline transaction (2000)
        --sink-batch-rows N     sink batch rows for the direct-sink variant (the sink default)
        --parallelism N         Flink parallelism of the pipeline (2, as the demo)
        --partitions N          partitions of the receipt topic (4)
        --checkpoint-interval D checkpoint interval of the pipeline, e.g. 2s, 30s (2s, as the demo)
        --set key=value         a job option for the pipeline, e.g. --set neo4j.max-batch-delay=1s
        --profile-steps         also time the sink's Cypher statements one by one, with PROFILE
        --warmup N              receipts of the untimed warm-up of baseline and sink (1000);
                                with N > 0 the pipeline also runs once untimed
        --pipeline-warmup N     deliveries of that untimed pipeline run, generated as the
                                data (another seed) on a topic of their own (--receipts)
        --neo4j WHERE           in-process (the harness in this JVM) or process (a standalone
                                Neo4j server in its own JVM, Bolt over loopback) (in-process)
      """;

  static BenchmarkOptions parse(String[] args) {
    int receipts = 20_000;
    Integer perReceipt = null; // all of --receipts
    int users = 2_000;
    int products = 5_000;
    double resend = 0.05;
    long seed = 42;
    int rounds = 3;
    Set<String> variants =
        new LinkedHashSet<>(List.of("baseline", "sink", "pipeline", "per-receipt"));
    int baselineRows = 2_000;
    int sinkRows = io.consumergraph.sink.neo4j.Neo4jSinkConfig.DEFAULT_BATCH_ROWS;
    int parallelism = 2;
    int partitions = 4;
    Duration checkpoint = Duration.ofSeconds(2);
    Map<String, String> settings = new LinkedHashMap<>();
    boolean profile = false;
    int warmup = 1_000;
    Integer pipelineWarmup = null; // as many as --receipts
    String neo4j = "in-process";
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--profile-steps" -> profile = true;
        case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
        default -> {
          if (i + 1 >= args.length) {
            throw new IllegalArgumentException("missing value of " + arg + "\n" + USAGE);
          }
          String value = args[++i];
          switch (arg) {
            case "--receipts" -> receipts = Integer.parseInt(value);
            case "--per-receipt-receipts" -> perReceipt = Integer.parseInt(value);
            case "--users" -> users = Integer.parseInt(value);
            case "--products" -> products = Integer.parseInt(value);
            case "--resend" -> resend = Double.parseDouble(value);
            case "--seed" -> seed = Long.parseLong(value);
            case "--rounds" -> rounds = Integer.parseInt(value);
            case "--variants" -> {
              variants = new LinkedHashSet<>(List.of("baseline"));
              variants.addAll(List.of(value.split(",")));
            }
            case "--baseline-rows" -> baselineRows = Integer.parseInt(value);
            case "--sink-batch-rows" -> sinkRows = Integer.parseInt(value);
            case "--parallelism" -> parallelism = Integer.parseInt(value);
            case "--partitions" -> partitions = Integer.parseInt(value);
            case "--checkpoint-interval" -> checkpoint = duration(value);
            case "--set" -> {
              int eq = value.indexOf('=');
              if (eq < 1) {
                throw new IllegalArgumentException("--set needs key=value: " + value);
              }
              settings.put(value.substring(0, eq), value.substring(eq + 1));
            }
            case "--warmup" -> warmup = Integer.parseInt(value);
            case "--pipeline-warmup" -> pipelineWarmup = Integer.parseInt(value);
            case "--neo4j" -> {
              try {
                neo4j = GraphServer.placement(value);
              } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + "\n" + USAGE, e);
              }
            }
            default -> throw new IllegalArgumentException("unknown option " + arg + "\n" + USAGE);
          }
        }
      }
    }
    for (String v : variants) {
      if (!List.of("baseline", "sink", "pipeline", "per-receipt").contains(v)) {
        throw new IllegalArgumentException("unknown variant " + v + "\n" + USAGE);
      }
    }
    if (receipts < 1 || users < 1 || products < 1 || rounds < 1) {
      throw new IllegalArgumentException("sizes and rounds must be positive\n" + USAGE);
    }
    if (perReceipt == null) {
      perReceipt = receipts;
    } else if (perReceipt < 1 || perReceipt > receipts) {
      throw new IllegalArgumentException(
          "--per-receipt-receipts must be between 1 and --receipts ("
              + receipts
              + "), got "
              + perReceipt
              + "\n"
              + USAGE);
    }
    if (pipelineWarmup == null) {
      pipelineWarmup = receipts;
    } else if (pipelineWarmup < 1) {
      throw new IllegalArgumentException(
          "--pipeline-warmup must be at least 1 (--warmup 0 skips every warm-up), got "
              + pipelineWarmup
              + "\n"
              + USAGE);
    }
    return new BenchmarkOptions(
        receipts,
        perReceipt,
        users,
        products,
        resend,
        seed,
        rounds,
        variants,
        baselineRows,
        sinkRows,
        parallelism,
        partitions,
        checkpoint,
        settings,
        profile,
        warmup,
        pipelineWarmup,
        neo4j);
  }

  static Duration duration(String text) {
    String t = text.trim().toLowerCase();
    if (t.endsWith("ms")) {
      return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
    }
    if (t.endsWith("s")) {
      return Duration.ofMillis((long) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1000));
    }
    return Duration.ofMillis(Long.parseLong(t));
  }
}
