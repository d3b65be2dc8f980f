package io.consumergraph.tools;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of ElasticMQ that forwards the first {@code healthyCalls} requests and
 * answers every later one with 503, without forwarding it: an SQS endpoint that goes down mid-run,
 * deterministically (no request is half-forwarded).
 */
public final class FailingSqsProxy implements AutoCloseable {

  private static final Set<String> RESTRICTED =
      Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding");

  private final HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();
  private final AtomicInteger calls = new AtomicInteger();

  public FailingSqsProxy(URI target, int healthyCalls) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext(
        "/",
        exchange -> {
          try (exchange) {
            if (calls.incrementAndGet() > healthyCalls) {
              respond(
                  exchange,
                  503,
                  "application/x-amz-json-1.0",
                  "{\"__type\":\"ServiceUnavailable\",\"message\":\"endpoint is down\"}"
                      .getBytes());
              return;
            }
            HttpRequest.Builder forward =
                HttpRequest.newBuilder(target.resolve(exchange.getRequestURI()))
                    .method(
                        exchange.getRequestMethod(),
                        HttpRequest.BodyPublishers.ofByteArray(
                            exchange.getRequestBody().readAllBytes()));
            exchange
                .getRequestHeaders()
                .forEach(
                    (name, values) -> {
                      if (!RESTRICTED.contains(name.toLowerCase())) {
                        values.forEach(v -> forward.header(name, v));
                      }
                    });
            HttpResponse<byte[]> response =
                client.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
            respond(
                exchange,
                response.statusCode(),
                response.headers().firstValue("Content-Type").orElse("application/json"),
                response.body());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
  }

  private static void respond(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  public int calls() {
    return calls.get();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
