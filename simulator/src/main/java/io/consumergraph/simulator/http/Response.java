package io.consumergraph.simulator.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;

/** A JSON response: a status and the serialized body. */
public record Response(int status, byte[] body) {

  /** A new JSON object to fill and answer with. */
  public static ObjectNode object() {
    return Json.MAPPER.createObjectNode();
  }

  public static Response ok(JsonNode body) {
    return new Response(200, bytes(body));
  }

  /** {@code {"status": status, "error": message}} with that status. */
  public static Response error(int status, String message) {
    ObjectNode n = object();
    n.put("status", status);
    n.put("error", message);
    return new Response(status, bytes(n));
  }

  public static Response noSuchEndpoint() {
    return error(404, "no such endpoint");
  }

  /** 405: the endpoint exists but answers only {@code method}. */
  public static Response use(String method) {
    return error(405, "use " + method);
  }

  /** Sends this response; a 429 carries {@code Retry-After: 1}. */
  public void send(HttpExchange exchange) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (status == 429) {
      exchange.getResponseHeaders().set("Retry-After", "1");
    }
    exchange.sendResponseHeaders(status, body.length);
    exchange.getResponseBody().write(body);
  }

  private static byte[] bytes(JsonNode node) {
    try {
      return Json.MAPPER.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
