package io.consumergraph.job.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One scrape of a Prometheus endpoint in the text exposition format, as series. */
public final class PrometheusScrape {

  /** One sample line: the metric name and its labels. */
  public record Series(String name, Map<String, String> labels, String value) {}

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final String text;
  private final List<Series> series;

  private PrometheusScrape(String text, List<Series> series) {
    this.text = text;
    this.series = series;
  }

  /** GETs {@code url} as Prometheus would. */
  public static PrometheusScrape of(URI url) throws IOException, InterruptedException {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("GET " + url + " answered " + response.statusCode());
    }
    return parse(response.body());
  }

  /** Parses the text exposition format (comments and blank lines skipped). */
  public static PrometheusScrape parse(String text) {
    List<Series> out = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      out.add(parseLine(line));
    }
    return new PrometheusScrape(text, out);
  }

  private static Series parseLine(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq).trim();
        int j = eq + 2; // after ="
        StringBuilder value = new StringBuilder();
        while (line.charAt(j) != '"') {
          char c = line.charAt(j);
          if (c == '\\') {
            char e = line.charAt(++j);
            value.append(e == 'n' ? '\n' : e);
          } else {
            value.append(c);
          }
          j++;
        }
        labels.put(label, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') {
          i++;
        }
      }
      i++;
    }
    return new Series(name, labels, line.substring(i).trim());
  }

  public List<Series> series() {
    return series;
  }

  /** The distinct metric names. */
  public Set<String> names() {
    Set<String> names = new TreeSet<>();
    series.forEach(s -> names.add(s.name()));
    return names;
  }

  /** The scrape as it came, for a report. */
  public String text() {
    return text;
  }
}
