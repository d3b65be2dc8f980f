package io.consumergraph.sink.neo4j;

import io.consumergraph.embedded.EmbeddedNeo4j;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/** One in-process Neo4j for all integration tests of this JVM; started on first use. */
final class TestNeo4j {

  /** Short, so a test can provoke a real lock-acquisition timeout (a transient error). */
  static final Duration SHORT_LOCK_TIMEOUT = Duration.ofMillis(300);

  private static EmbeddedNeo4j server;

  private TestNeo4j() {}

  static synchronized EmbeddedNeo4j server() {
    if (server == null) {
      server = EmbeddedNeo4j.start();
      Runtime.getRuntime().addShutdownHook(new Thread(server::close, "neo4j-test-shutdown"));
    }
    return server;
  }

  static Neo4jSinkConfig config() {
    return Neo4jSinkConfig.withoutAuth(server().boltUri());
  }

  /** Removes all data; constraints stay, as they would in production. */
  static void clear() {
    run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS");
  }

  /**
   * Runs the action with a short db.lock.acquisition.timeout (a dynamic setting), then resets it.
   */
  static void withShortLockTimeout(ThrowingRunnable action) throws Exception {
    server().lockAcquisitionTimeout(SHORT_LOCK_TIMEOUT);
    try {
      action.run();
    } finally {
      server().lockAcquisitionTimeout(Duration.ZERO);
    }
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  static void run(String cypher) {
    try (Session session = server().driver().session()) {
      session.run(cypher).consume();
    }
  }

  static List<Record> query(String cypher, Map<String, Object> params) {
    try (Session session = server().driver().session()) {
      return session.run(cypher, params).list();
    }
  }

  static List<Record> query(String cypher) {
    return query(cypher, Map.of());
  }

  static long count(String cypher) {
    return query(cypher).get(0).get(0).asLong();
  }
}
