package io.consumergraph.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a benchmark's figures as JSON next to the table it prints: {@code <name>.json} in the
 * directory the system property {@code benchmarks.results} names ({@code benchmarks/run.sh} sets
 * {@code benchmarks/target/results}), else {@code target/benchmark-results}.
 */
final class BenchmarkJson {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private BenchmarkJson() {}

  /** {@code {benchmark, finishedAt, settings, results}}; returns the file written. */
  static Path write(String name, Map<String, ?> settings, Object results) throws IOException {
    Path dir = Path.of(System.getProperty("benchmarks.results", "target/benchmark-results"));
    Files.createDirectories(dir);
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("benchmark", name);
    document.put("finishedAt", Instant.now().toString());
    document.put("settings", settings);
    document.put("results", results);
    Path file = dir.resolve(name + ".json");
    JSON.writeValue(file.toFile(), document);
    System.out.println("figures written to " + file);
    return file;
  }
}
