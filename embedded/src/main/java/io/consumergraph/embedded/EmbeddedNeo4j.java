package io.consumergraph.embedded;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import org.neo4j.configuration.Config;
import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.HttpConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilder;
import org.neo4j.harness.Neo4jBuilders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An in-process Neo4j 5.26 server with Bolt and HTTP on 127.0.0.1, for the demo and the tests. */
public final class EmbeddedNeo4j implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedNeo4j.class);
  private static final String HOST = "127.0.0.1";

  /** Enough for test and demo graphs; the default would size the cache from the machine's RAM. */
  private static final long PAGE_CACHE_BYTES = 64L * 1024 * 1024;

  private final Neo4j neo4j;
  private Driver driver;

  private EmbeddedNeo4j(Neo4j neo4j) {
    this.neo4j = neo4j;
  }

  /** Starts a server on free ports. */
  public static EmbeddedNeo4j start() {
    return start(0, 0);
  }

  /**
   * Starts a server on the given ports (0 picks a free one); a port that is already taken falls
   * back to a free one, so the demo still starts when a local Neo4j occupies 7687/7474.
   */
  public static EmbeddedNeo4j start(int boltPort, int httpPort) {
    long started = System.nanoTime();
    int bolt = freeOrZero(boltPort);
    int http = freeOrZero(httpPort);
    Neo4j neo4j;
    try {
      neo4j = builder(bolt, http).build();
    } catch (RuntimeException e) {
      if (bolt == 0 && http == 0) {
        throw e;
      }
      // The port was taken between our probe and the bind: retry on free ports.
      LOG.warn("Neo4j could not bind {}/{}, retrying on free ports: {}", bolt, http, e.toString());
      neo4j = builder(0, 0).build();
    }
    EmbeddedNeo4j server = new EmbeddedNeo4j(neo4j);
    LOG.info(
        "Neo4j listening on {} and {} (started in {} ms)",
        server.boltUri(),
        server.httpUri(),
        (System.nanoTime() - started) / 1_000_000);
    return server;
  }

  private static Neo4jBuilder builder(int boltPort, int httpPort) {
    return Neo4jBuilders.newInProcessBuilder()
        .withConfig(GraphDatabaseSettings.auth_enabled, false)
        .withConfig(GraphDatabaseSettings.pagecache_memory, PAGE_CACHE_BYTES)
        .withConfig(GraphDatabaseSettings.default_listen_address, new SocketAddress(HOST))
        .withConfig(BoltConnector.enabled, true)
        .withConfig(BoltConnector.listen_address, new SocketAddress(HOST, boltPort))
        .withConfig(BoltConnector.advertised_address, new SocketAddress(HOST, boltPort))
        .withConfig(HttpConnector.enabled, true)
        .withConfig(HttpConnector.listen_address, new SocketAddress(HOST, httpPort))
        .withConfig(HttpConnector.advertised_address, new SocketAddress(HOST, httpPort))
        // Without this, close() waits out Netty's default 2 s quiet period several times.
        .withConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0);
  }

  /** Returns the port if it can be bound on 127.0.0.1 right now, else 0 (any free port). */
  private static int freeOrZero(int port) {
    if (port == 0) {
      return 0;
    }
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(HOST))) {
      socket.setReuseAddress(true);
      return port;
    } catch (IOException e) {
      LOG.warn("Port {} is taken, Neo4j uses a free port instead", port);
      return 0;
    }
  }

  /** The Bolt URI, e.g. {@code bolt://127.0.0.1:7687}. */
  public URI boltUri() {
    return neo4j.boltURI();
  }

  /** The HTTP API base URI, e.g. {@code http://127.0.0.1:7474}. */
  public URI httpUri() {
    return neo4j.httpURI();
  }

  /**
   * Sets {@code db.lock.acquisition.timeout} on the running server (0 = wait forever, the default).
   * Tests use a short one to provoke real transient lock errors; Community Edition has no {@code
   * dbms.setConfigValue}, so this goes through the in-process configuration.
   */
  public void lockAcquisitionTimeout(Duration timeout) {
    if (!(neo4j.config() instanceof Config config)) {
      throw new UnsupportedOperationException(
          "Server configuration is not dynamic: " + neo4j.config());
    }
    config.setDynamic(GraphDatabaseSettings.lock_acquisition_timeout, timeout, "EmbeddedNeo4j");
  }

  /** A driver bound to this server, created on first use and closed with the server. */
  public synchronized Driver driver() {
    if (driver == null) {
      driver =
          GraphDatabase.driver(
              boltUri(),
              AuthTokens.none(),
              org.neo4j.driver.Config.builder()
                  .withLogging(Logging.slf4j())
                  .withoutEncryption()
                  .build());
    }
    return driver;
  }

  @Override
  public synchronized void close() {
    try {
      if (driver != null) {
        driver.close();
        driver = null;
      }
    } finally {
      neo4j.close();
    }
  }
}
