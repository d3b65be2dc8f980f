package io.consumergraph.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * One table of the figures the benchmarks wrote as JSON ({@link BenchmarkJson}), the issue's
 * targets beside them: what {@code benchmarks/run.sh all} prints at the end, and writes as {@code
 * summary.json}.
 */
public final class BenchmarkSummary {

  record Row(String figure, String measured, String target) {}

  private BenchmarkSummary() {}

  public static void main(String[] args) throws IOException {
    Path dir = Path.of(System.getProperty("benchmarks.results", "target/benchmark-results"));
    ObjectMapper json = new ObjectMapper();
    List<Row> rows = new ArrayList<>();
    for (String name : List.of("live", "live-neo4j-process")) {
      Path live = dir.resolve(name + ".json");
      if (!Files.exists(live)) {
        continue;
      }
      String label = name.equals("live") ? "live" : "live, Neo4j in its own process";
      JsonNode r = json.readTree(live.toFile()).path("results");
      JsonNode v = r.path("variants");
      rows.add(
          row(
              label + ": pipeline receipts/s",
              v.path("pipeline").path("receiptsPerSecond"),
              "%.0f",
              ""));
      rows.add(
          row(
              label + ": pipeline vs UNWIND baseline",
              v.path("pipeline").path("vsBaseline"),
              "%.2fx",
              ">= 1.0x"));
      rows.add(
          row(
              label + ": pipeline steady state (10->90% written) vs UNWIND baseline",
              v.path("pipeline-steady").path("vsBaseline"),
              "%.2fx",
              ">= 1.0x"));
      rows.add(
          row(
              label + ": pipeline steady state vs per-receipt writer",
              r.path("pipelineSteadyVsPerReceipt"),
              "%.2fx",
              ">= 5x"));
      rows.add(
          row(
              label + ": sink writer vs UNWIND baseline",
              v.path("sink").path("vsBaseline"),
              "%.2fx",
              ""));
      rows.add(
          row(
              label + ": pipeline vs per-receipt writer",
              r.path("pipelineVsPerReceipt"),
              "%.2fx",
              ">= 5x"));
    }
    Path backfill = dir.resolve("backfill.json");
    if (Files.exists(backfill)) {
      List<BackfillBenchmark.Result> runs = new ArrayList<>();
      for (JsonNode r : json.readTree(backfill.toFile()).path("results")) {
        runs.add(json.treeToValue(r, BackfillBenchmark.Result.class));
      }
      BackfillBenchmark.stateBytesPerUser(runs)
          .ifPresent(
              perUser ->
                  rows.add(
                      new Row(
                          "backfill: checkpoint bytes per backfilled user (defaults vs baseline)",
                          String.format(Locale.ROOT, "%.0f", perUser),
                          "<= 2 KB")));
      Optional<BackfillBenchmark.Result> defaults = BackfillBenchmark.variant(runs, "defaults");
      Optional<BackfillBenchmark.Result> unwind = BackfillBenchmark.variant(runs, "unwind");
      if (defaults.isPresent() && unwind.isPresent()) {
        double unwindRate = unwind.get().steadyUsersPerSecond();
        rows.add(
            new Row(
                "backfill: defaults vs the UNWIND writer alone on such histories",
                String.format(
                    Locale.ROOT, "%.2fx", defaults.get().steadyUsersPerSecond() / unwindRate),
                ""));
        rows.add(
            new Row(
                "backfill: 125 users/s vs what the UNWIND writer alone takes",
                String.format(Locale.ROOT, "%.2fx", 125 / unwindRate),
                "<= 1x for the target to be reachable here"));
      }
      for (BackfillBenchmark.Result r : runs) {
        rows.add(
            new Row(
                "backfill " + r.variant() + ": users/s (" + r.users() + " users)",
                String.format(Locale.ROOT, "%.1f", r.steadyUsersPerSecond()),
                r.variant().equals("defaults") ? ">= 125" : ""));
        if (r.variant().equals("rate-limit")) {
          rows.add(
              new Row(
                  "backfill rate-limit: history requests/s",
                  String.format(Locale.ROOT, "%.1f", r.historyRequestsPerSecond()),
                  "within 5% of the limit"));
        }
        if (!r.enrollmentLatenciesMs().isEmpty()) {
          rows.add(
              new Row(
                  "backfill: enrollment -> graph p50 / p99",
                  r.enrollmentPercentileMs(50)
                      + " / "
                      + r.enrollmentPercentileMs(99)
                      + " ms (-1: not there)",
                  "p99 < 5000 ms"));
        }
      }
    }
    Path edges = dir.resolve("edges.json");
    if (Files.exists(edges)) {
      JsonNode results = json.readTree(edges.toFile()).path("results");
      double base = results.path(0).path("medianAppendMs").asDouble();
      for (JsonNode r : results) {
        rows.add(
            new Row(
                "edges: one append to edges of " + r.path("ids").asInt() + " ids",
                String.format(
                    Locale.ROOT,
                    "%.1f ms (%.2fx)",
                    r.path("medianAppendMs").asDouble(),
                    r.path("medianAppendMs").asDouble() / base),
                ""));
      }
    }
    List<Path> states = new ArrayList<>();
    try (var files = Files.list(dir)) {
      files
          .filter(f -> f.getFileName().toString().matches("state.*\\.json"))
          .sorted()
          .forEach(states::add);
    }
    for (Path state : states) {
      for (JsonNode r : json.readTree(state.toFile()).path("results")) {
        int users = r.path("users").asInt();
        String variant = r.path("variant").asText();
        String at = variant + ", " + users + " users";
        if (variant.equals("batched")) {
          rows.add(
              new Row(
                  "state " + at + ": RocksDB bytes/user held / after release",
                  String.format(
                      Locale.ROOT,
                      "%.0f / %.0f",
                      r.path("rocksDbBytesHeld").asDouble() / users,
                      r.path("rocksDbBytesAfter").asDouble() / users),
                  "<= 2048 at 1M"));
          rows.add(
              new Row(
                  "state " + at + ": checkpoint bytes/user held / after",
                  String.format(
                      Locale.ROOT,
                      "%.0f / %.0f",
                      r.path("checkpointBytesHeld").asDouble() / users,
                      r.path("checkpointBytesAfter").asDouble() / users),
                  ""));
        }
        rows.add(
            new Row(
                "state " + at + ": release of all held",
                String.format(
                    Locale.ROOT,
                    "%.1f s, %d checkpoints, at most %.1f s without one, %d failed",
                    r.path("releaseSeconds").asDouble(),
                    r.path("checkpointsDuringRelease").asLong(),
                    r.path("longestMsWithoutCheckpoint").asDouble() / 1000,
                    r.path("failedCheckpoints").asLong()),
                "no checkpoint times out"));
      }
    }
    int width = rows.stream().mapToInt(r -> r.figure().length()).max().orElse(10);
    System.out.printf("%n%-" + width + "s  %-44s  %s%n", "figure", "measured", "target");
    for (Row r : rows) {
      System.out.printf("%-" + width + "s  %-44s  %s%n", r.figure(), r.measured(), r.target());
    }
    BenchmarkJson.write("summary", java.util.Map.of("results", dir.toString()), rows);
  }

  private static Row row(String figure, JsonNode value, String format, String target) {
    return new Row(
        figure,
        value.isMissingNode() || value.isNull()
            ? "-"
            : String.format(Locale.ROOT, format, value.asDouble()),
        target);
  }
}
