package io.consumergraph.sink.neo4j;

import static io.consumergraph.sink.neo4j.Neo4jErrorClassifier.Verdict.FATAL;
import static io.consumergraph.sink.neo4j.Neo4jErrorClassifier.Verdict.REJECT;
import static io.consumergraph.sink.neo4j.Neo4jErrorClassifier.Verdict.RETRY;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.exceptions.DatabaseException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.SessionExpiredException;
import org.neo4j.driver.exceptions.TransientException;

class Neo4jErrorClassifierTest {

  @Test
  void deadlocksLockTimeoutsAndLostConnectionsAreRetried() {
    assertThat(
            Neo4jErrorClassifier.classify(
                new TransientException(
                    "Neo.TransientError.Transaction.DeadlockDetected", "deadlock")))
        .isEqualTo(RETRY);
    assertThat(
            Neo4jErrorClassifier.classify(
                new TransientException(
                    "Neo.TransientError.Transaction.LockAcquisitionTimeout", "timeout")))
        .isEqualTo(RETRY);
    assertThat(Neo4jErrorClassifier.classify(new ServiceUnavailableException("gone")))
        .isEqualTo(RETRY);
    assertThat(Neo4jErrorClassifier.classify(new SessionExpiredException("leader switch")))
        .isEqualTo(RETRY);
  }

  @Test
  void anUnreachableServerIsToldApartFromALostRace() {
    assertThat(Neo4jErrorClassifier.isUnreachable(new ServiceUnavailableException("gone")))
        .isTrue();
    assertThat(
            Neo4jErrorClassifier.isUnreachable(
                new RuntimeException("wrapped", new SessionExpiredException("leader switch"))))
        .isTrue();
    assertThat(
            Neo4jErrorClassifier.isUnreachable(
                new TransientException(
                    "Neo.TransientError.Transaction.DeadlockDetected", "deadlock")))
        .isFalse();
  }

  @Test
  void aBatchThatHitItsOwnTransactionTimeoutIsRetried() {
    assertThat(
            Neo4jErrorClassifier.classify(
                new ClientException(
                    "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
                    "terminated")))
        .isEqualTo(RETRY);
  }

  @Test
  void errorsAboutTheValuesOfAStatementRejectTheUpdateAtFault() {
    assertThat(
            Neo4jErrorClassifier.classify(
                new ClientException("Neo.ClientError.Schema.ConstraintValidationFailed", "dup")))
        .isEqualTo(REJECT);
    assertThat(
            Neo4jErrorClassifier.classify(
                new RuntimeException(
                    "wrapped",
                    new ClientException("Neo.ClientError.Statement.TypeError", "not a string"))))
        .isEqualTo(REJECT);
  }

  @Test
  void aValueTooLargeToIndexRejectsTheUpdateButOtherFailedExecutionsAreFatal() {
    assertThat(
            Neo4jErrorClassifier.classify(
                new DatabaseException(
                    "Neo.DatabaseError.Statement.ExecutionFailed",
                    "Property value is too large to index, please see index documentation")))
        .isEqualTo(REJECT);
    assertThat(
            Neo4jErrorClassifier.classify(
                new DatabaseException("Neo.DatabaseError.Statement.ExecutionFailed", "boom")))
        .isEqualTo(FATAL);
  }

  @Test
  void syntaxSecurityAndUnknownErrorsAreFatal() {
    assertThat(
            Neo4jErrorClassifier.classify(
                new ClientException("Neo.ClientError.Security.Unauthorized", "who")))
        .isEqualTo(FATAL);
    assertThat(
            Neo4jErrorClassifier.classify(
                new ClientException("Neo.ClientError.Statement.SyntaxError", "bad")))
        .isEqualTo(FATAL);
    assertThat(
            Neo4jErrorClassifier.classify(
                new DatabaseException("Neo.DatabaseError.General.UnknownError", "boom")))
        .isEqualTo(FATAL);
    assertThat(Neo4jErrorClassifier.classify(new IllegalStateException("bug"))).isEqualTo(FATAL);
  }

  @Test
  void aRetryableErrorWrappedInAnotherExceptionIsStillRetried() {
    RuntimeException wrapped =
        new RuntimeException(
            "callback failed",
            new TransientException("Neo.TransientError.Transaction.DeadlockDetected", "x"));

    assertThat(Neo4jErrorClassifier.classify(wrapped)).isEqualTo(RETRY);
    assertThat(Neo4jErrorClassifier.describe(wrapped))
        .startsWith("Neo.TransientError.Transaction.DeadlockDetected");
  }
}
