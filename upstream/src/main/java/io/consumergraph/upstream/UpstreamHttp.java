package io.consumergraph.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP transport the upstream clients share: one {@link HttpClient} on a small executor of its
 * own, JSON with Jackson, and the mapping of failures to {@link UpstreamException}.
 *
 * <p>It never uses the common fork-join pool: on a 2-core machine that pool has one thread, and
 * {@code CompletableFuture}'s fallback then starts a thread per task.
 */
public final class UpstreamHttp implements AutoCloseable {

  private final HttpClient client;
  private final ExecutorService executor;
  private final ScheduledExecutorService timer;
  private final Duration requestTimeout;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile ExchangeListener listener = ExchangeListener.NONE;

  public UpstreamHttp(Duration requestTimeout, int ioThreads) {
    this.requestTimeout = requestTimeout;
    this.executor = Executors.newFixedThreadPool(ioThreads, daemonThreads("upstream-io-"));
    this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("upstream-timer-"));
    this.client =
        HttpClient.newBuilder()
            .executor(executor)
            .connectTimeout(requestTimeout)
            .version(HttpClient.Version.HTTP_1_1)
            .build();
  }

  /**
   * HTTP exchanges sent and not yet answered, failed or cancelled: a gauge for operators, and the
   * way tests see that a fail-fast caller really stopped the calls it abandoned.
   */
  public int inFlight() {
    return inFlight.get();
  }

  /** Tells {@code listener} of every exchange that ends with an answer or a failure. */
  public void listen(ExchangeListener listener) {
    this.listener = listener == null ? ExchangeListener.NONE : listener;
  }

  /** The executor callbacks and caches run on. */
  public ExecutorService executor() {
    return executor;
  }

  ObjectMapper json() {
    return json;
  }

  /** GET {@code uri}: the JSON body of a 2xx answer, any other answer as UpstreamException. */
  public CompletableFuture<JsonNode> get(UpstreamService service, URI uri) {
    return Stages.thenApply(
        send(service, request(uri).GET().build(), false), Optional::orElseThrow);
  }

  /** GET {@code uri}, where 404 means "no such entity": empty, not an error. */
  public CompletableFuture<Optional<JsonNode>> getOptional(UpstreamService service, URI uri) {
    return send(service, request(uri).GET().build(), true);
  }

  /** POST a JSON body to {@code uri}: the JSON body of a 2xx answer. */
  public CompletableFuture<JsonNode> post(UpstreamService service, URI uri, JsonNode body) {
    byte[] bytes;
    try {
      bytes = json.writeValueAsBytes(body);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    HttpRequest request =
        request(uri)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(bytes))
            .build();
    return Stages.thenApply(send(service, request, false), Optional::orElseThrow);
  }

  /** A future completed on the client's executor after {@code nanos}. */
  public CompletableFuture<Void> delay(long nanos) {
    if (nanos <= 0) {
      return CompletableFuture.completedFuture(null);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    timer.schedule(() -> executor.execute(() -> done.complete(null)), nanos, TimeUnit.NANOSECONDS);
    return done;
  }

  /**
   * {@code base} followed by the given path segments, each percent-encoded. An empty, {@code .} or
   * {@code ..} segment is refused: encoding leaves it as it is, and the URL would name another
   * resource (a user id of {@code ..} must not become {@code /users/../receipts}).
   */
  public static URI uri(String base, String... segments) {
    StringBuilder s = new StringBuilder(base);
    for (String segment : segments) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException("'" + segment + "' cannot be a URL path segment");
      }
      s.append('/').append(encode(segment));
    }
    return URI.create(s.toString());
  }

  /** A query parameter value, percent-encoded. */
  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(requestTimeout).header("Accept", "application/json");
  }

  /**
   * Sends the request. Cancelling the returned future cancels the HTTP exchange, so a fail-fast
   * caller does not leave requests running.
   */
  private CompletableFuture<Optional<JsonNode>> send(
      UpstreamService service, HttpRequest request, boolean notFoundIsEmpty) {
    CompletableFuture<Optional<JsonNode>> result = new CompletableFuture<>();
    CompletableFuture<HttpResponse<byte[]>> exchange;
    try {
      exchange = client.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(
          UpstreamException.connection(service, describe(request), e));
    }
    inFlight.incrementAndGet();
    long sentAt = System.nanoTime();
    exchange.whenComplete(
        (response, failure) -> {
          inFlight.decrementAndGet();
          if (!exchange.isCancelled()) {
            listener.exchanged(
                service, System.nanoTime() - sentAt, failure == null ? response.statusCode() : -1);
          }
        });
    exchange.whenCompleteAsync(
        (response, failure) -> {
          try {
            if (failure != null) {
              result.completeExceptionally(translate(service, request, failure));
            } else {
              result.complete(read(service, request, response, notFoundIsEmpty));
            }
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
          }
        },
        executor);
    result.whenComplete(
        (ignored, failure) -> {
          if (result.isCancelled()) {
            exchange.cancel(true);
          }
        });
    return result;
  }

  private Optional<JsonNode> read(
      UpstreamService service,
      HttpRequest request,
      HttpResponse<byte[]> response,
      boolean notFoundIsEmpty) {
    int status = response.statusCode();
    if (status == 404 && notFoundIsEmpty) {
      return Optional.empty();
    }
    if (status < 200 || status > 299) {
      throw UpstreamException.status(service, status, describe(request) + " " + snippet(response));
    }
    try {
      JsonNode body = json.readTree(response.body());
      if (body == null || !body.isObject()) {
        throw UpstreamException.malformed(service, describe(request) + ": not a JSON object", null);
      }
      return Optional.of(body);
    } catch (IOException e) {
      throw UpstreamException.malformed(service, describe(request), e);
    }
  }

  private static Throwable translate(
      UpstreamService service, HttpRequest request, Throwable failure) {
    Throwable cause = failure;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof CancellationException) {
      return cause;
    }
    if (cause instanceof HttpTimeoutException) {
      return UpstreamException.timeout(service, describe(request), cause);
    }
    if (cause instanceof IOException) {
      return UpstreamException.connection(service, describe(request), cause);
    }
    return cause;
  }

  private static String describe(HttpRequest request) {
    return request.method() + " " + request.uri();
  }

  private static String snippet(HttpResponse<byte[]> response) {
    byte[] body = response.body();
    if (body == null || body.length == 0) {
      return "";
    }
    String s = new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8);
    return "(" + s + ")";
  }

  /** Stops the executor and timer; requests still running fail. */
  @Override
  public void close() {
    timer.shutdownNow();
    executor.shutdownNow();
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
