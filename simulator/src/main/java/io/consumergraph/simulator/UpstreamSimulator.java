package io.consumergraph.simulator;

import com.sun.net.httpserver.HttpServer;
import io.consumergraph.simulator.service.BtsService;
import io.consumergraph.simulator.service.CategoryService;
import io.consumergraph.simulator.service.EmulatedService;
import io.consumergraph.simulator.service.ProductService;
import io.consumergraph.simulator.service.PurchaseHistoryService;
import io.consumergraph.simulator.service.RetailerService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>Each service is emulated by its class in {@code service/}; {@link Router} dispatches to them.
 */
public final class UpstreamSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamSimulator.class);

  public static final int DEFAULT_PAGE_SIZE = PurchaseHistoryService.DEFAULT_PAGE_SIZE;
  public static final int MAX_PAGE_SIZE = PurchaseHistoryService.MAX_PAGE_SIZE;
  public static final int MAX_BATCH_SIZE = ProductService.MAX_BATCH_SIZE;
  private static final int DEFAULT_THREADS = 32;
  private static final int BACKLOG = 256;

  private final SyntheticCatalog catalog;
  private final Families families = new Families();
  private final HttpServer server;
  private final ExecutorService executor;
  private volatile LongSupplier clock = System::currentTimeMillis;

  private UpstreamSimulator(SyntheticCatalog catalog, String host, int port) throws IOException {
    this.catalog = catalog;
    LongSupplier now = () -> clock.getAsLong();
    Map<EndpointFamily, EmulatedService> services = new EnumMap<>(EndpointFamily.class);
    services.put(EndpointFamily.FPS, new ProductService(catalog));
    services.put(EndpointFamily.CATEGORY, new CategoryService(catalog));
    services.put(EndpointFamily.RETAILER, new RetailerService(catalog));
    services.put(EndpointFamily.PURCHASE_HISTORY, new PurchaseHistoryService(catalog, now));
    services.put(EndpointFamily.BTS, new BtsService(catalog, now));
    InetAddress address =
        host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
    this.server = HttpServer.create(new InetSocketAddress(address, port), BACKLOG);
    // Its own pool: handlers sleep to simulate latency, and a concurrency test needs more
    // simultaneous requests than the JDK's default single dispatcher thread would serve.
    this.executor = Executors.newFixedThreadPool(DEFAULT_THREADS, daemonThreads());
    server.setExecutor(executor);
    server.createContext("/", new Router(services, families));
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
    return new UpstreamSimulator(catalog, null, port);
  }

  /** Starts a simulator of this catalog on this host and port. */
  static UpstreamSimulator start(SyntheticCatalog catalog, String host, int port)
      throws IOException {
    return new UpstreamSimulator(catalog, host, port);
  }

  /** Runs the simulator standalone; see {@link StandaloneSimulator}. */
  public static void main(String[] args) throws Exception {
    StandaloneSimulator.main(args);
  }

  /**
   * The base URI without a trailing slash, e.g. {@code http://127.0.0.1:8090}; the upstream
   * module's {@code UpstreamEndpoints.onOneHost} lays the services out under it as served here.
   */
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
    return families.knobs(family);
  }

  /** The request statistics of this family. */
  public FamilyStats stats(EndpointFamily family) {
    return families.counters(family).snapshot();
  }

  public long requestCount(EndpointFamily family) {
    return families.counters(family).requests();
  }

  public int maxInFlight(EndpointFamily family) {
    return families.counters(family).maxInFlight();
  }

  /** Zeroes every family's counters. */
  public void resetStats() {
    families.resetStats();
  }

  /** Resets every family's knobs and counters. */
  public void reset() {
    families.reset();
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

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "upstream-simulator-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
