package io.consumergraph.sink.neo4j;

import java.util.List;
import org.neo4j.driver.exceptions.ClientException;
import org.neo4j.driver.exceptions.Neo4jException;
import org.neo4j.driver.exceptions.RetryableException;
import org.neo4j.driver.exceptions.ServiceUnavailableException;
import org.neo4j.driver.exceptions.SessionExpiredException;
import org.neo4j.driver.exceptions.TransientException;

/**
 * Decides whether a failed Neo4j write is retried or fails the job, in the manner of the exception
 * classifiers of flink-connector-aws: an ordered list of rules, first match on the cause chain
 * wins, anything unknown is fatal.
 */
public final class Neo4jErrorClassifier {

  /** What to do with a failed batch. */
  public enum Verdict {
    /** Deadlock, lock timeout, leader switch, lost connection: the same batch may succeed. */
    RETRY,
    /**
     * Neo4j refuses something in the data (a constraint, a value too large for its index, a wrong
     * type): retrying cannot help, but the rest of the batch can be written without it.
     */
    REJECT,
    /** Syntax error, auth, a missing database, anything unknown: nothing written can help. */
    FATAL
  }

  /**
   * Status codes, and prefixes of them, that name a problem with the values a statement was given
   * rather than with the statement, the server or the credentials.
   */
  private static final List<String> DATA_ERRORS =
      List.of(
          "Neo.ClientError.Schema.ConstraintValidationFailed",
          "Neo.ClientError.Statement.ArgumentError",
          "Neo.ClientError.Statement.TypeError",
          "Neo.ClientError.Statement.ArithmeticError",
          "Neo.ClientError.Statement.EntityNotFound");

  /**
   * A property value over the index key limit (about 8 KB) fails with this generic code; the
   * message tells it apart from other failed executions.
   */
  static final String EXECUTION_FAILED = "Neo.DatabaseError.Statement.ExecutionFailed";

  static final String TOO_LARGE_TO_INDEX = "too large to index";

  private record Rule(Class<? extends Throwable> type, Verdict verdict) {}

  // Order matters: TransactionTerminatedException is a ClientException, the marker interface
  // covers the driver's own retryable security errors.
  private static final List<Rule> RULES =
      List.of(
          new Rule(TransientException.class, Verdict.RETRY),
          new Rule(ServiceUnavailableException.class, Verdict.RETRY),
          new Rule(SessionExpiredException.class, Verdict.RETRY),
          new Rule(ClientException.class, Verdict.FATAL));

  private static final int MAX_CAUSE_DEPTH = 16;

  /** Neo.ClientError.Transaction.TransactionTimedOut and ...TimedOutClientConfiguration. */
  static final String TRANSACTION_TIMED_OUT = "Neo.ClientError.Transaction.TransactionTimedOut";

  private Neo4jErrorClassifier() {}

  /**
   * Whether the error says Neo4j cannot be reached at all (no server, no leader, connection lost),
   * as opposed to a transaction that lost a race (deadlock, lock timeout): the writer waits out the
   * first for much longer.
   */
  public static boolean isUnreachable(Throwable error) {
    Throwable current = error;
    for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
      if (current instanceof ServiceUnavailableException
          || current instanceof SessionExpiredException) {
        return true;
      }
      current = current.getCause();
    }
    return false;
  }

  /** Classifies the first recognised exception on the cause chain; unknown errors are fatal. */
  public static Verdict classify(Throwable error) {
    Throwable current = error;
    for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
      if (current instanceof Neo4jException neo4j
          && neo4j.code() != null
          && neo4j.code().startsWith(TRANSACTION_TIMED_OUT)) {
        return Verdict.RETRY; // our own transaction timeout: a stuck server, worth another try
      }
      if (current instanceof Neo4jException neo4j && isDataError(neo4j)) {
        return Verdict.REJECT;
      }
      for (Rule rule : RULES) {
        if (rule.type().isInstance(current)) {
          return rule.verdict();
        }
      }
      if (current instanceof RetryableException) {
        return Verdict.RETRY;
      }
      if (current instanceof Neo4jException) {
        return Verdict.FATAL;
      }
      current = current.getCause();
    }
    return Verdict.FATAL;
  }

  private static boolean isDataError(Neo4jException error) {
    String code = error.code();
    if (code == null) {
      return false;
    }
    if (code.equals(EXECUTION_FAILED)
        && error.getMessage() != null
        && error.getMessage().contains(TOO_LARGE_TO_INDEX)) {
      return true;
    }
    for (String dataError : DATA_ERRORS) {
      if (code.startsWith(dataError)) {
        return true;
      }
    }
    return false;
  }

  /** The Neo4j status code and message, e.g. {@code Neo.ClientError.Schema...: ...}. */
  public static String describe(Throwable error) {
    Throwable current = error;
    for (int depth = 0; current != null && depth < MAX_CAUSE_DEPTH; depth++) {
      if (current instanceof Neo4jException neo4j && neo4j.code() != null) {
        return neo4j.code() + ": " + neo4j.getMessage();
      }
      current = current.getCause();
    }
    return error.getClass().getSimpleName() + ": " + error.getMessage();
  }
}
