package io.consumergraph.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the job's operator metrics through the Flink REST API, the same numbers the web UI shows,
 * summed over subtasks.
 */
final class FlinkRestMetrics {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ObjectMapper json = new ObjectMapper();
  private final URI base;

  FlinkRestMetrics(URI base) {
    this.base = base;
  }

  /**
   * Every operator metric whose name ends with one of the suffixes; a suffix ending in {@code .*}
   * matches every metric of that group (e.g. {@code gate.*}).
   */
  Map<String, Long> sums(String jobId, List<String> suffixes) {
    Map<String, Long> result = new TreeMap<>();
    try {
      for (JsonNode vertex : get("/jobs/" + jobId).path("vertices")) {
        String vertexPath = "/jobs/" + jobId + "/vertices/" + vertex.path("id").asText();
        List<String> wanted = new ArrayList<>();
        for (JsonNode metric : get(vertexPath + "/subtasks/metrics")) {
          String id = metric.path("id").asText();
          for (String suffix : suffixes) {
            boolean group = suffix.endsWith(".*");
            String part = group ? suffix.substring(0, suffix.length() - 1) : suffix;
            if (group ? id.contains("." + part) : id.endsWith("." + part)) {
              wanted.add(id);
              break;
            }
          }
        }
        if (wanted.isEmpty()) {
          continue;
        }
        String query = URLEncoder.encode(String.join(",", wanted), StandardCharsets.UTF_8);
        for (JsonNode metric : get(vertexPath + "/subtasks/metrics?get=" + query)) {
          result.merge(metric.path("id").asText(), metric.path("sum").asLong(), Long::sum);
        }
      }
    } catch (IOException e) {
      // Metrics are informational: a REST hiccup must not end the demo.
      result.put("(metrics unavailable: " + e.getMessage() + ")", 0L);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return result;
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(5)).GET().build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + " answered " + response.statusCode());
    }
    return json.readTree(response.body());
  }
}
