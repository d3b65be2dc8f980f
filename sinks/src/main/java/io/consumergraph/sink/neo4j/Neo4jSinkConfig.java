package io.consumergraph.sink.neo4j;

import java.io.Serializable;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * Connection, batching and retry settings of the {@link Neo4jGraphSink}.
 *
 * <p>There is no default password. A null {@code password} with a {@code user} set means the writer
 * reads it from the environment variable {@value #PASSWORD_ENV} on the task manager, so the secret
 * never travels inside the job graph or its checkpoints. An empty or null {@code user} connects
 * without authentication (the embedded server runs with auth disabled).
 *
 * @param uri Bolt URI, e.g. {@code neo4j://graph:7687}; may be null when {@code logOnly}
 * @param database target database; null uses the server's default database
 * @param batchRows flush once this many item rows (purchase × product) are buffered
 * @param maxBatchDelay flush a non-empty buffer at the latest this long after its first update
 * @param maxRetries retries of a batch on transient errors before the job fails
 * @param retryBackoffInitial first retry delay, doubled per retry
 * @param retryBackoffMax cap of the retry delay
 * @param unavailableTimeout how long a batch keeps being retried (backing off up to 10 s) while
 *     Neo4j cannot be reached (restart, failover, network), before the job fails
 * @param transactionTimeout server-side limit of one batch transaction; the writer also gives up
 *     waiting for a batch that has not answered within it plus the unavailable timeout
 * @param logOnly log what would be written and write nothing
 */
public record Neo4jSinkConfig(
    URI uri,
    String user,
    String password,
    String database,
    int batchRows,
    Duration maxBatchDelay,
    int maxRetries,
    Duration retryBackoffInitial,
    Duration retryBackoffMax,
    Duration unavailableTimeout,
    Duration transactionTimeout,
    boolean logOnly)
    implements Serializable {

  public static final String DEFAULT_DATABASE = "neo4j";

  /** Environment variable the writer reads the password from when the config carries none. */
  public static final String PASSWORD_ENV = "NEO4J_PASSWORD";

  /** 1–2K rows per transaction is the measured plateau (BUILD-NOTES); above 10K it gets slower. */
  public static final int DEFAULT_BATCH_ROWS = 1500;

  public static final Duration DEFAULT_MAX_BATCH_DELAY = Duration.ofMillis(200);
  public static final int DEFAULT_MAX_RETRIES = 8;
  public static final Duration DEFAULT_RETRY_BACKOFF_INITIAL = Duration.ofMillis(10);
  public static final Duration DEFAULT_RETRY_BACKOFF_MAX = Duration.ofMillis(500);

  /** Rolling restarts and failovers take a minute or two; a longer outage fails the job. */
  public static final Duration DEFAULT_UNAVAILABLE_TIMEOUT = Duration.ofMinutes(5);

  /** A batch commits in well under a second; a minute means the server is stuck. */
  public static final Duration DEFAULT_TRANSACTION_TIMEOUT = Duration.ofMinutes(1);

  public Neo4jSinkConfig {
    if (!logOnly) {
      Objects.requireNonNull(uri, "uri is required unless logOnly");
    }
    if (batchRows < 1) {
      throw new IllegalArgumentException("batchRows must be positive: " + batchRows);
    }
    requirePositive(maxBatchDelay, "maxBatchDelay");
    requirePositive(retryBackoffInitial, "retryBackoffInitial");
    requirePositive(retryBackoffMax, "retryBackoffMax");
    requirePositive(unavailableTimeout, "unavailableTimeout");
    requirePositive(transactionTimeout, "transactionTimeout");
    if (maxRetries < 0) {
      throw new IllegalArgumentException("maxRetries must not be negative: " + maxRetries);
    }
  }

  /** A config with production defaults for the given server and credentials. */
  public static Neo4jSinkConfig of(URI uri, String user, String password) {
    return new Neo4jSinkConfig(
        uri,
        user,
        password,
        DEFAULT_DATABASE,
        DEFAULT_BATCH_ROWS,
        DEFAULT_MAX_BATCH_DELAY,
        DEFAULT_MAX_RETRIES,
        DEFAULT_RETRY_BACKOFF_INITIAL,
        DEFAULT_RETRY_BACKOFF_MAX,
        DEFAULT_UNAVAILABLE_TIMEOUT,
        DEFAULT_TRANSACTION_TIMEOUT,
        false);
  }

  /**
   * The password to connect with: the configured one, else {@value #PASSWORD_ENV} from {@code env}.
   *
   * @throws IllegalStateException when a user is set and neither gives a password
   */
  public String resolvePassword(java.util.Map<String, String> env) {
    if (password != null) {
      return password;
    }
    String fromEnv = env.get(PASSWORD_ENV);
    if (fromEnv == null || fromEnv.isEmpty()) {
      throw new IllegalStateException(
          "Neo4j user '" + user + "' is set but " + PASSWORD_ENV + " is not in the environment");
    }
    return fromEnv;
  }

  /** A config with production defaults for a server without authentication (embedded). */
  public static Neo4jSinkConfig withoutAuth(URI uri) {
    return of(uri, null, null);
  }

  public Neo4jSinkConfig withDatabase(String database) {
    Copy c = new Copy(this);
    c.database = database;
    return c.build();
  }

  public Neo4jSinkConfig withBatchRows(int batchRows) {
    Copy c = new Copy(this);
    c.batchRows = batchRows;
    return c.build();
  }

  public Neo4jSinkConfig withMaxBatchDelay(Duration maxBatchDelay) {
    Copy c = new Copy(this);
    c.maxBatchDelay = maxBatchDelay;
    return c.build();
  }

  public Neo4jSinkConfig withMaxRetries(int maxRetries) {
    Copy c = new Copy(this);
    c.maxRetries = maxRetries;
    return c.build();
  }

  public Neo4jSinkConfig withRetryBackoff(Duration initial, Duration max) {
    Copy c = new Copy(this);
    c.retryBackoffInitial = initial;
    c.retryBackoffMax = max;
    return c.build();
  }

  public Neo4jSinkConfig withUnavailableTimeout(Duration unavailableTimeout) {
    Copy c = new Copy(this);
    c.unavailableTimeout = unavailableTimeout;
    return c.build();
  }

  public Neo4jSinkConfig withTransactionTimeout(Duration transactionTimeout) {
    Copy c = new Copy(this);
    c.transactionTimeout = transactionTimeout;
    return c.build();
  }

  public Neo4jSinkConfig withLogOnly(boolean logOnly) {
    Copy c = new Copy(this);
    c.logOnly = logOnly;
    return c.build();
  }

  /** A mutable copy of a config: what the {@code with…} methods change before building anew. */
  private static final class Copy {
    URI uri;
    String user;
    String password;
    String database;
    int batchRows;
    Duration maxBatchDelay;
    int maxRetries;
    Duration retryBackoffInitial;
    Duration retryBackoffMax;
    Duration unavailableTimeout;
    Duration transactionTimeout;
    boolean logOnly;

    Copy(Neo4jSinkConfig c) {
      uri = c.uri;
      user = c.user;
      password = c.password;
      database = c.database;
      batchRows = c.batchRows;
      maxBatchDelay = c.maxBatchDelay;
      maxRetries = c.maxRetries;
      retryBackoffInitial = c.retryBackoffInitial;
      retryBackoffMax = c.retryBackoffMax;
      unavailableTimeout = c.unavailableTimeout;
      transactionTimeout = c.transactionTimeout;
      logOnly = c.logOnly;
    }

    Neo4jSinkConfig build() {
      return new Neo4jSinkConfig(
          uri,
          user,
          password,
          database,
          batchRows,
          maxBatchDelay,
          maxRetries,
          retryBackoffInitial,
          retryBackoffMax,
          unavailableTimeout,
          transactionTimeout,
          logOnly);
    }
  }

  /** Whether the driver authenticates; false for servers with auth disabled. */
  public boolean hasCredentials() {
    return user != null && !user.isEmpty();
  }

  /**
   * Delay before retry {@code retry} (0-based) while Neo4j is unreachable: 100 ms doubling to 10 s.
   */
  public static Duration unavailableBackoff(int retry) {
    return Duration.ofMillis(Math.min(100L << Math.min(retry, 20), 10_000L));
  }

  /** Delay before retry number {@code retry} (0-based): exponential, capped. */
  public Duration retryBackoff(int retry) {
    long initial = retryBackoffInitial.toMillis();
    long max = retryBackoffMax.toMillis();
    long delay = initial << Math.min(retry, 20);
    return Duration.ofMillis(Math.min(delay, max));
  }

  /** Never prints the password: configs end up in logs and in the Flink web UI. */
  @Override
  public String toString() {
    return "Neo4jSinkConfig[uri="
        + uri
        + ", user="
        + user
        + ", password="
        + (password == null ? "null" : "***")
        + ", database="
        + database
        + ", batchRows="
        + batchRows
        + ", maxBatchDelay="
        + maxBatchDelay
        + ", maxRetries="
        + maxRetries
        + ", retryBackoff="
        + retryBackoffInitial
        + ".."
        + retryBackoffMax
        + ", unavailableTimeout="
        + unavailableTimeout
        + ", transactionTimeout="
        + transactionTimeout
        + ", logOnly="
        + logOnly
        + "]";
  }

  private static void requirePositive(Duration value, String name) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + value);
    }
  }
}
