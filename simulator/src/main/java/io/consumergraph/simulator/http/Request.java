package io.consumergraph.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A request as an emulated service sees it: the method, the decoded path segments, the query
 * (parsed when asked for) and the body.
 */
public record Request(String method, List<String> path, URI uri, InputStream body) {

  /** The request of this exchange; fails on a path segment that is not URL-decodable. */
  public static Request of(HttpExchange exchange) {
    URI uri = exchange.getRequestURI();
    return new Request(
        exchange.getRequestMethod(), segments(uri.getRawPath()), uri, exchange.getRequestBody());
  }

  public boolean isGet() {
    return method.equals("GET");
  }

  public boolean isPost() {
    return method.equals("POST");
  }

  /** The query parameters; parsed on every call, so a malformed query fails only where read. */
  public Query query() {
    return Query.parse(uri.getRawQuery());
  }

  /** The body parsed as JSON. */
  public JsonNode jsonBody() throws IOException {
    return Json.MAPPER.readTree(body);
  }

  private static List<String> segments(String rawPath) {
    String trimmed = rawPath == null ? "" : rawPath.replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty()) {
      return List.of();
    }
    String[] parts = trimmed.split("/");
    for (int i = 0; i < parts.length; i++) {
      parts[i] = decode(parts[i].replace("+", "%2B"));
    }
    return List.of(parts);
  }

  static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
