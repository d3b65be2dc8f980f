package io.consumergraph.simulator.http;

import java.util.HashMap;
import java.util.Map;

/** The query parameters of a request; of a repeated parameter the first value counts. */
public final class Query {

  private final Map<String, String> values;

  private Query(Map<String, String> values) {
    this.values = values;
  }

  static Query parse(String rawQuery) {
    Map<String, String> out = new HashMap<>();
    if (rawQuery != null && !rawQuery.isEmpty()) {
      for (String pair : rawQuery.split("&")) {
        int eq = pair.indexOf('=');
        String key = Request.decode(eq < 0 ? pair : pair.substring(0, eq));
        String value = eq < 0 ? "" : Request.decode(pair.substring(eq + 1));
        out.putIfAbsent(key, value);
      }
    }
    return new Query(out);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  /** The value of this parameter, or null when absent. */
  public String get(String name) {
    return values.get(name);
  }

  /** The value of this parameter as a number, or null when absent or not a number. */
  public Long getLong(String name) {
    String s = values.get(name);
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
