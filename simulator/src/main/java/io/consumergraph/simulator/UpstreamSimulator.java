package io.consumergraph.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the upstream HTTP contract (FPS, category, retailer, Purchase History, BTS) over real HTTP
 * from a {@link SyntheticCatalog}, with per-family latency and failure knobs and request
 * statistics, for the demo, tests and benchmarks.
 *
 * <p>Endpoints:
 *
 * <ul>
 *   <li>{@code GET /fps/v1/products/{fido}}, {@code POST /fps/v1/products:batchGet}
 *   <li>{@code GET /category/v1/categories/{id}}
 *   <li>{@code GET /retailer/v1/retailers/{id}}
 *   <li>{@code GET /purchase-history/v1/users/{userId}/receipts?startTimeMs=&pageSize=&pageToken=}
 *   <li>{@code GET /user/{userId}/transaction?startTimeMs=}, {@code GET
 *       /internal/transaction/{buttonOrderId}/button} (BTS)
 *   <li>{@code GET|POST /_sim/knobs}, {@code GET /_sim/stats}, {@code POST /_sim/reset}
 * </ul>
 */
public final class UpstreamSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamSimulator.class);

  public static final int DEFAULT_PAGE_SIZE = 25;
  public static final int MAX_PAGE_SIZE = 100;
  public static final int MAX_BATCH_SIZE = 500;
  private static final int DEFAULT_THREADS = 32;

  private final SyntheticCatalog catalog;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<EndpointFamily, FaultKnobs> knobs = new EnumMap<>(EndpointFamily.class);
  private final Map<EndpointFamily, Counters> counters = new EnumMap<>(EndpointFamily.class);
  private final HttpServer server;
  private final ExecutorService executor;
  private volatile LongSupplier clock = System::currentTimeMillis;

  private UpstreamSimulator(SyntheticCatalog catalog, String host, int port, int threads)
      throws IOException {
    this.catalog = catalog;
    for (EndpointFamily f : EndpointFamily.values()) {
      knobs.put(f, new FaultKnobs());
      counters.put(f, new Counters());
    }
    InetAddress address =
        host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
    this.server = HttpServer.create(new InetSocketAddress(address, port), 256);
    // Its own pool: handlers sleep to simulate latency, and a concurrency test needs more
    // simultaneous requests than the JDK's default single dispatcher thread would serve.
    this.executor = Executors.newFixedThreadPool(threads, daemonThreads());
    server.setExecutor(executor);
    server.createContext("/", this::handle);
    server.start();
    LOG.info("Upstream simulator listening on {}", baseUri());
  }

  /** Starts a simulator of the default catalog on a random free port of the loopback interface. */
  public static UpstreamSimulator start() throws IOException {
    return start(0);
  }

  /** Starts a simulator of the default catalog on this port of the loopback interface. */
  public static UpstreamSimulator start(int port) throws IOException {
    return start(new SyntheticCatalog(), port);
  }

  /** Starts a simulator of this catalog on this port (0: a random free one) of the loopback. */
  public static UpstreamSimulator start(SyntheticCatalog catalog, int port) throws IOException {
    return new UpstreamSimulator(catalog, null, port, DEFAULT_THREADS);
  }

  /** Runs the simulator standalone: {@code --port 8090 --host 127.0.0.1 --seed 42}. */
  public static void main(String[] args) throws Exception {
    int port = 8090;
    String host = "127.0.0.1";
    long seed = SyntheticCatalog.DEFAULT_SEED;
    int products = SyntheticCatalog.DEFAULT_PRODUCT_COUNT;
    int retailers = SyntheticCatalog.DEFAULT_RETAILER_COUNT;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (arg) {
        case "--port" -> port = Integer.parseInt(required(arg, value));
        case "--host" -> host = required(arg, value);
        case "--seed" -> seed = Long.parseLong(required(arg, value));
        case "--products" -> products = Integer.parseInt(required(arg, value));
        case "--retailers" -> retailers = Integer.parseInt(required(arg, value));
        case "--help", "-h" -> {
          System.out.println(
              "usage: UpstreamSimulator [--port 8090] [--host 127.0.0.1] [--seed 42]"
                  + " [--products 5000] [--retailers 200]");
          return;
        }
        default -> throw new IllegalArgumentException("unknown option " + arg);
      }
      i++;
    }
    UpstreamSimulator simulator =
        new UpstreamSimulator(
            new SyntheticCatalog(seed, products, retailers), host, port, DEFAULT_THREADS);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  simulator.close();
                  stopped.countDown();
                }));
    System.out.println("Upstream simulator listening on " + simulator.baseUri());
    stopped.await();
  }

  private static String required(String option, String value) {
    if (value == null) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return value;
  }

  /** The base URI without a trailing slash, e.g. {@code http://127.0.0.1:8090}. */
  public URI baseUri() {
    InetSocketAddress address = server.getAddress();
    String host = address.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + address.getPort());
  }

  public int port() {
    return server.getAddress().getPort();
  }

  public SyntheticCatalog catalog() {
    return catalog;
  }

  /** The latency and failure knobs of this family; changes apply to the next request. */
  public FaultKnobs knobs(EndpointFamily family) {
    return knobs.get(family);
  }

  /** The request statistics of this family. */
  public FamilyStats stats(EndpointFamily family) {
    return counters.get(family).snapshot();
  }

  public long requestCount(EndpointFamily family) {
    return counters.get(family).requests.get();
  }

  public int maxInFlight(EndpointFamily family) {
    return counters.get(family).maxInFlight.get();
  }

  /** Zeroes every family's counters. */
  public void resetStats() {
    counters.values().forEach(Counters::reset);
  }

  /** Resets every family's knobs and counters. */
  public void reset() {
    knobs.values().forEach(FaultKnobs::reset);
    resetStats();
  }

  /**
   * The clock that decides "now" for history and shop-order windows; tests fix it so that
   * expectations computed from the catalog match the responses exactly.
   */
  public void clock(LongSupplier nowMs) {
    this.clock = nowMs;
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  // ------------------------------------------------------------------ dispatch

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String[] path = segments(exchange.getRequestURI().getRawPath());
      EndpointFamily family = familyOf(path);
      Response response;
      if (family == null) {
        response = serveControl(exchange, path);
      } else {
        Counters c = counters.get(family);
        c.begin();
        try {
          response = serveWithFaults(family, exchange, path);
        } finally {
          // Leave the in-flight count before the client sees the response, so that a client
          // sending its next request on receipt never overlaps with this one in the statistics.
          c.end();
        }
      }
      send(exchange, response);
    } catch (RuntimeException e) {
      LOG.warn("Simulator failed to serve {}", exchange.getRequestURI(), e);
      send(exchange, error(500, "internal error: " + e));
    }
  }

  private Response serveWithFaults(EndpointFamily family, HttpExchange exchange, String[] path)
      throws IOException {
    FaultKnobs k = knobs.get(family);
    long delay = k.nextDelayMs();
    // Decided on arrival, so failAfter counts requests in the order they reached the simulator.
    int failure = k.nextFailure();
    if (delay > 0 && !(failure != 0 && k.fastFailures())) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return error(503, "simulator shutting down");
      }
    }
    if (failure != 0) {
      counters.get(family).injectedFailures.incrementAndGet();
      return error(failure, "injected failure");
    }
    return switch (family) {
      case FPS -> serveFps(exchange, path);
      case CATEGORY -> serveCategory(exchange, path);
      case RETAILER -> serveRetailer(exchange, path);
      case PURCHASE_HISTORY -> servePurchaseHistory(exchange, path);
      case BTS -> serveBts(exchange, path);
    };
  }

  private static EndpointFamily familyOf(String[] p) {
    if (p.length == 0) {
      return null;
    }
    return switch (p[0]) {
      case "fps" -> EndpointFamily.FPS;
      case "category" -> EndpointFamily.CATEGORY;
      case "retailer" -> EndpointFamily.RETAILER;
      case "purchase-history" -> EndpointFamily.PURCHASE_HISTORY;
      case "user", "internal" -> EndpointFamily.BTS;
      default -> null;
    };
  }

  // ------------------------------------------------------------------ FPS, category, retailer

  private Response serveFps(HttpExchange exchange, String[] p) throws IOException {
    String method = exchange.getRequestMethod();
    if (p.length == 3 && p[1].equals("v1") && p[2].equals("products:batchGet")) {
      if (!method.equals("POST")) {
        return error(405, "use POST");
      }
      return batchGet(exchange.getRequestBody());
    }
    if (p.length == 4 && p[1].equals("v1") && p[2].equals("products")) {
      if (!method.equals("GET")) {
        return error(405, "use GET");
      }
      CatalogProduct product = catalog.product(p[3]);
      return product == null ? error(404, "no product " + p[3]) : ok(productJson(product));
    }
    return error(404, "no such endpoint");
  }

  private Response batchGet(InputStream body) {
    JsonNode request;
    try {
      request = json.readTree(body);
    } catch (IOException e) {
      return error(400, "body is not JSON");
    }
    JsonNode fidos = request == null ? null : request.get("fidos");
    if (fidos == null || !fidos.isArray()) {
      return error(400, "body needs a \"fidos\" array");
    }
    if (fidos.size() > MAX_BATCH_SIZE) {
      return error(400, "at most " + MAX_BATCH_SIZE + " fidos per batch");
    }
    Set<String> distinct = new LinkedHashSet<>();
    for (JsonNode f : fidos) {
      if (!f.isTextual()) {
        return error(400, "fidos must be strings");
      }
      distinct.add(f.asText());
    }
    ObjectNode out = json.createObjectNode();
    ArrayNode products = out.putArray("products");
    ArrayNode notFound = out.putArray("notFound");
    for (String fido : distinct) {
      CatalogProduct product = catalog.product(fido);
      if (product == null) {
        notFound.add(fido);
      } else {
        products.add(productJson(product));
      }
    }
    return ok(out);
  }

  private ObjectNode productJson(CatalogProduct product) {
    ObjectNode n = json.createObjectNode();
    n.put("fido", product.fido());
    n.put("name", product.name());
    n.put("brand", product.brand());
    if (product.hasCategory()) {
      n.put("categoryId", product.categoryId()); // absent when FPS has no category (~53%)
    }
    return n;
  }

  private Response serveCategory(HttpExchange exchange, String[] p) {
    if (p.length != 4 || !p[1].equals("v1") || !p[2].equals("categories")) {
      return error(404, "no such endpoint");
    }
    if (!exchange.getRequestMethod().equals("GET")) {
      return error(405, "use GET");
    }
    CatalogCategory c = catalog.category(p[3]);
    if (c == null) {
      return error(404, "no category " + p[3]);
    }
    ObjectNode n = json.createObjectNode();
    n.put("categoryId", c.categoryId());
    n.put("name", c.name());
    ArrayNode hierarchy = n.putArray("hierarchy");
    c.hierarchy().forEach(hierarchy::add);
    return ok(n);
  }

  private Response serveRetailer(HttpExchange exchange, String[] p) {
    if (p.length != 4 || !p[1].equals("v1") || !p[2].equals("retailers")) {
      return error(404, "no such endpoint");
    }
    if (!exchange.getRequestMethod().equals("GET")) {
      return error(405, "use GET");
    }
    CatalogRetailer r = catalog.retailer(p[3]);
    if (r == null) {
      return error(404, "no retailer " + p[3]);
    }
    ObjectNode n = json.createObjectNode();
    n.put("retailerId", r.retailerId());
    n.put("name", r.name());
    n.put("storeType", r.storeType());
    return ok(n);
  }

  // ------------------------------------------------------------------ Purchase History

  private Response servePurchaseHistory(HttpExchange exchange, String[] p) {
    if (p.length != 5 || !p[1].equals("v1") || !p[2].equals("users") || !p[4].equals("receipts")) {
      return error(404, "no such endpoint");
    }
    if (!exchange.getRequestMethod().equals("GET")) {
      return error(405, "use GET");
    }
    Map<String, String> q = query(exchange.getRequestURI());
    Long startTimeMs = parseLong(q.get("startTimeMs"));
    if (startTimeMs == null) {
      return error(400, "startTimeMs is required and must be a number");
    }
    int pageSize = DEFAULT_PAGE_SIZE;
    if (q.containsKey("pageSize")) {
      Long size = parseLong(q.get("pageSize"));
      if (size == null || size < 1 || size > MAX_PAGE_SIZE) {
        return error(400, "pageSize must be in [1, " + MAX_PAGE_SIZE + "]");
      }
      pageSize = size.intValue();
    }
    // The token pins "now" of the first page so that pages never shift under the client.
    long nowMs = clock.getAsLong();
    int offset = 0;
    String token = q.get("pageToken");
    if (token != null && !token.isEmpty()) {
      long[] decoded = decodeToken(token);
      if (decoded == null) {
        return error(400, "invalid pageToken");
      }
      offset = (int) decoded[0];
      nowMs = decoded[1];
    }
    List<HistoryReceipt> all = catalog.receiptsFor(p[3], startTimeMs, nowMs);
    int end = Math.min(all.size(), offset + pageSize);
    ObjectNode out = json.createObjectNode();
    ArrayNode receipts = out.putArray("receipts");
    for (HistoryReceipt r : all.subList(Math.min(offset, all.size()), end)) {
      ObjectNode n = receipts.addObject();
      n.put("receiptId", r.receiptId());
      n.put("userId", r.userId());
      n.put("purchaseTimeMs", r.purchaseTimeMs());
      n.put("retailerId", r.retailerId());
      n.put("storeName", r.storeName());
      ArrayNode items = n.putArray("items");
      for (HistoryReceiptItem item : r.items()) {
        ObjectNode i = items.addObject();
        i.put("fido", item.fido());
        i.put("description", item.description());
        i.put("brand", item.brand());
        i.put("quantity", item.quantity());
        i.put("price", item.price());
      }
    }
    if (end < all.size()) {
      out.put("nextPageToken", encodeToken(end, nowMs));
    }
    return ok(out);
  }

  private static String encodeToken(int offset, long nowMs) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((offset + ":" + nowMs).getBytes(StandardCharsets.UTF_8));
  }

  private static long[] decodeToken(String token) {
    try {
      String[] parts =
          new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8).split(":");
      if (parts.length != 2) {
        return null;
      }
      long offset = Long.parseLong(parts[0]);
      return offset < 0 || offset > Integer.MAX_VALUE
          ? null
          : new long[] {offset, Long.parseLong(parts[1])};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ BTS

  private Response serveBts(HttpExchange exchange, String[] p) {
    if (!exchange.getRequestMethod().equals("GET")) {
      return error(405, "use GET");
    }
    if (p.length == 3 && p[0].equals("user") && p[2].equals("transaction")) {
      Long startTimeMs = parseLong(query(exchange.getRequestURI()).get("startTimeMs"));
      if (startTimeMs == null) {
        return error(400, "startTimeMs is required and must be a number");
      }
      ObjectNode out = json.createObjectNode();
      ArrayNode transactions = out.putArray("transactions");
      for (ShopOrder o : catalog.shopOrdersFor(p[1], startTimeMs, clock.getAsLong())) {
        ObjectNode n = transactions.addObject();
        n.put("buttonOrderId", o.buttonOrderId());
        n.put("status", o.status());
        n.put("createdAtMs", o.createdAtMs());
      }
      return ok(out);
    }
    if (p.length == 4
        && p[0].equals("internal")
        && p[1].equals("transaction")
        && p[3].equals("button")) {
      ShopOrder o = catalog.shopOrder(p[2]);
      if (o == null || o.createdAtMs() >= clock.getAsLong()) {
        return error(404, "no transaction " + p[2]);
      }
      ObjectNode n = json.createObjectNode();
      n.put("buttonOrderId", o.buttonOrderId());
      n.put("userId", o.userId());
      n.put("retailerId", o.retailerId());
      n.put("retailerName", o.retailerName());
      n.put("status", o.status());
      n.put("createdAtMs", o.createdAtMs());
      ArrayNode items = n.putArray("lineItems");
      for (ShopOrderLineItem item : o.lineItems()) {
        ObjectNode i = items.addObject();
        i.put("fido", item.fido());
        i.put("name", item.name());
        i.put("brand", item.brand());
        i.put("quantity", item.quantity());
        i.put("price", item.price());
      }
      return ok(n);
    }
    return error(404, "no such endpoint");
  }

  // ------------------------------------------------------------------ control endpoints

  private Response serveControl(HttpExchange exchange, String[] p) throws IOException {
    if (p.length != 2 || !p[0].equals("_sim")) {
      return error(404, "no such endpoint");
    }
    String method = exchange.getRequestMethod();
    switch (p[1]) {
      case "stats":
        return ok(statsJson());
      case "knobs":
        if (method.equals("POST")) {
          String problem = applyKnobs(exchange.getRequestBody());
          if (problem != null) {
            return error(400, problem);
          }
        }
        return ok(knobsJson());
      case "reset":
        if (!method.equals("POST")) {
          return error(405, "use POST");
        }
        reset();
        return ok(json.createObjectNode());
      default:
        return error(404, "no such endpoint");
    }
  }

  /**
   * Applies {@code {"fps": {"latencyMs": 50, "jitterMs": 10, "rate429": 0.1, "rate5xx": 0.05,
   * "failNext": 3, "failStatus": 503, "failAfter": 0, "fastFailures": true, "reset": true}, ...}};
   * returns a problem or null.
   */
  private String applyKnobs(InputStream body) {
    JsonNode request;
    try {
      request = json.readTree(body);
    } catch (IOException e) {
      return "body is not JSON";
    }
    if (request == null || !request.isObject()) {
      return "body must be a JSON object keyed by family";
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = request.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      EndpointFamily family = EndpointFamily.fromWireName(e.getKey());
      if (family == null) {
        return "unknown family " + e.getKey();
      }
      JsonNode v = e.getValue();
      FaultKnobs k = knobs.get(family);
      try {
        if (v.path("reset").asBoolean(false)) {
          k.reset();
        }
        if (v.has("latencyMs") || v.has("jitterMs")) {
          k.latency(
              v.path("latencyMs").asLong(k.latencyMs()), v.path("jitterMs").asLong(k.jitterMs()));
        }
        if (v.has("rate429")) {
          k.throttleRate(v.get("rate429").asDouble());
        }
        if (v.has("rate5xx")) {
          k.errorRate(v.get("rate5xx").asDouble());
        }
        if (v.has("fastFailures")) {
          k.fastFailures(v.get("fastFailures").asBoolean());
        }
        if (v.has("failNext")) {
          k.failAfter(
              v.path("failAfter").asInt(0),
              v.get("failNext").asInt(),
              v.path("failStatus").asInt(503));
        }
      } catch (IllegalArgumentException ex) {
        return ex.getMessage();
      }
    }
    return null;
  }

  private ObjectNode knobsJson() {
    ObjectNode out = json.createObjectNode();
    for (EndpointFamily f : EndpointFamily.values()) {
      FaultKnobs k = knobs.get(f);
      ObjectNode n = out.putObject(f.wireName());
      n.put("latencyMs", k.latencyMs());
      n.put("jitterMs", k.jitterMs());
      n.put("rate429", k.throttleRate());
      n.put("rate5xx", k.errorRate());
      n.put("fastFailures", k.fastFailures());
      n.put("pendingFailures", k.pendingFailures());
    }
    return out;
  }

  private ObjectNode statsJson() {
    ObjectNode out = json.createObjectNode();
    for (EndpointFamily f : EndpointFamily.values()) {
      FamilyStats s = stats(f);
      ObjectNode n = out.putObject(f.wireName());
      n.put("requests", s.requests());
      n.put("inFlight", s.inFlight());
      n.put("maxInFlight", s.maxInFlight());
      n.put("injectedFailures", s.injectedFailures());
    }
    return out;
  }

  // ------------------------------------------------------------------ HTTP plumbing

  private record Response(int status, byte[] body) {}

  private Response ok(JsonNode body) {
    return new Response(200, bytes(body));
  }

  private Response error(int status, String message) {
    ObjectNode n = json.createObjectNode();
    n.put("status", status);
    n.put("error", message);
    return new Response(status, bytes(n));
  }

  private byte[] bytes(JsonNode node) {
    try {
      return json.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void send(HttpExchange exchange, Response response) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    if (response.status() == 429) {
      exchange.getResponseHeaders().set("Retry-After", "1");
    }
    exchange.sendResponseHeaders(response.status(), response.body().length);
    exchange.getResponseBody().write(response.body());
  }

  private static String[] segments(String rawPath) {
    String trimmed = rawPath == null ? "" : rawPath.replaceAll("^/+|/+$", "");
    if (trimmed.isEmpty()) {
      return new String[0];
    }
    String[] parts = trimmed.split("/");
    for (int i = 0; i < parts.length; i++) {
      parts[i] = decode(parts[i].replace("+", "%2B"));
    }
    return parts;
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> out = new HashMap<>();
    String raw = uri.getRawQuery();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String key = decode(eq < 0 ? pair : pair.substring(0, eq));
      String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
      out.putIfAbsent(key, value);
    }
    return out;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  private static Long parseLong(String s) {
    if (s == null) {
      return null;
    }
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "upstream-simulator-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Live counters of one family. */
  private static final class Counters {
    final AtomicLong requests = new AtomicLong();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    final AtomicLong injectedFailures = new AtomicLong();

    void begin() {
      requests.incrementAndGet();
      int now = inFlight.incrementAndGet();
      maxInFlight.accumulateAndGet(now, Math::max);
    }

    void end() {
      inFlight.decrementAndGet();
    }

    void reset() {
      requests.set(0);
      maxInFlight.set(inFlight.get());
      injectedFailures.set(0);
    }

    FamilyStats snapshot() {
      return new FamilyStats(
          requests.get(), inFlight.get(), maxInFlight.get(), injectedFailures.get());
    }
  }
}
