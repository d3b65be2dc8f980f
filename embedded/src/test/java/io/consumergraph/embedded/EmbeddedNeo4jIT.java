package io.consumergraph.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.neo4j.driver.Session;
import org.neo4j.driver.Transaction;
import org.neo4j.driver.exceptions.TransientException;

class EmbeddedNeo4jIT {

  private static EmbeddedNeo4j neo4j;

  @BeforeAll
  static void start() {
    neo4j = EmbeddedNeo4j.start();
  }

  @AfterAll
  static void stop() {
    neo4j.close();
  }

  @Test
  void boltAnswersQueriesOnLoopback() {
    assertThat(neo4j.boltUri().getHost()).isEqualTo("127.0.0.1");
    try (Session session = neo4j.driver().session()) {
      long created =
          session
              .executeWrite(
                  tx ->
                      tx.run(
                              "CREATE (u:User {user_id: $id}) RETURN count(u) AS n",
                              Map.of("id", "u-bolt"))
                          .single())
              .get("n")
              .asLong();
      assertThat(created).isEqualTo(1);
    }
  }

  @Test
  void httpTxCommitAnswersTheSeedsSpotCheck() throws Exception {
    try (Session session = neo4j.driver().session()) {
      session.executeWrite(
          tx ->
              tx.run(
                      "MERGE (u:User {user_id: 'u-http'}) MERGE (p:Product {product_id: 'f1'})"
                          + " MERGE (u)-[:PURCHASED]->(p)")
                  .consume());
    }
    // The body the seeds' runbook sends with curl.
    String body =
        "{\"statements\":[{\"statement\":\"MATCH (u:User {user_id: $uid})-[r]-() RETURN type(r) AS rel,"
            + " count(r) AS cnt\",\"parameters\":{\"uid\":\"u-http\"}}]}";
    HttpRequest request =
        HttpRequest.newBuilder(neo4j.httpUri().resolve("/db/neo4j/tx/commit"))
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    HttpResponse<String> response =
        HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.body()).contains("\"PURCHASED\"").contains("\"errors\":[]");
  }

  @Test
  void fixedPortThatIsTakenFallsBackToAFreePort() throws Exception {
    int taken = neo4j.boltUri().getPort();
    try (EmbeddedNeo4j second = EmbeddedNeo4j.start(taken, 0)) {
      assertThat(second.boltUri().getPort()).isNotEqualTo(taken).isPositive();
      try (Session session = second.driver().session()) {
        assertThat(session.run("RETURN 1 AS one").single().get("one").asInt()).isEqualTo(1);
      }
    }
  }

  @Test
  void aShortLockAcquisitionTimeoutTurnsLockWaitsIntoTransientErrors() {
    try (Session session = neo4j.driver().session()) {
      session.run("MERGE (:User {user_id: 'u-lock'})").consume();
    }
    neo4j.lockAcquisitionTimeout(Duration.ofMillis(100));
    try (Session holder = neo4j.driver().session();
        Transaction held = holder.beginTransaction();
        Session waiter = neo4j.driver().session()) {
      held.run("MATCH (u:User {user_id: 'u-lock'}) SET u.held = true").consume();

      assertThatThrownBy(
              () -> waiter.run("MATCH (u:User {user_id: 'u-lock'}) SET u.waited = true").consume())
          .isInstanceOf(TransientException.class);
      held.rollback();
    } finally {
      neo4j.lockAcquisitionTimeout(Duration.ZERO);
    }
  }
}
