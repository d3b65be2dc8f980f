package io.consumergraph.tools.neo4j;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.neo4j.driver.AuthToken;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.exceptions.Neo4jException;
import picocli.CommandLine.Option;

/**
 * The Neo4j connection flags of the graph tools (a picocli mixin). The password is read from {@code
 * NEO4J_PASSWORD} only, never from a flag, so it stays out of shell history and ps.
 */
public final class Neo4jOptions {

  public static final String PASSWORD_ENV = "NEO4J_PASSWORD";
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

  @Option(
      names = "--neo4j-uri",
      paramLabel = "URI",
      defaultValue = "${env:NEO4J_URI}",
      description = "Bolt URI of the graph, e.g. bolt://localhost:7687 (env NEO4J_URI).")
  URI uri;

  @Option(
      names = "--neo4j-user",
      paramLabel = "USER",
      defaultValue = "${env:NEO4J_USER:-neo4j}",
      description = "Neo4j user (default: ${DEFAULT-VALUE}, env NEO4J_USER).")
  String user;

  public URI uri() {
    return uri;
  }

  /**
   * Opens a driver and checks that the server answers and accepts the credentials.
   *
   * @throws GraphUnavailableException with an operator-readable message when it does not
   */
  public Driver connect(Map<String, String> env) {
    if (uri == null) {
      throw new GraphUnavailableException("no graph: pass --neo4j-uri or set NEO4J_URI");
    }
    String password = env.get(PASSWORD_ENV);
    AuthToken auth =
        password == null || password.isEmpty()
            ? AuthTokens.none()
            : AuthTokens.basic(user, password);
    Driver driver;
    try {
      driver =
          GraphDatabase.driver(
              uri,
              auth,
              Config.builder()
                  .withConnectionTimeout(
                      CONNECT_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                  .withLogging(Logging.slf4j())
                  .withUserAgent("consumer-graph-tools")
                  .build());
    } catch (IllegalArgumentException e) {
      throw new GraphUnavailableException("bad --neo4j-uri " + uri + ": " + e.getMessage());
    }
    try {
      driver.verifyConnectivity();
      return driver;
    } catch (Neo4jException | IllegalStateException e) {
      driver.close();
      throw new GraphUnavailableException(
          "cannot connect to Neo4j at " + uri + ": " + e.getMessage());
    }
  }

  /** The graph could not be reached or refused the credentials. */
  public static final class GraphUnavailableException extends RuntimeException {
    public GraphUnavailableException(String message) {
      super(message);
    }
  }
}
