package io.consumergraph.sink.neo4j;

import io.consumergraph.model.GraphUpdate;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Config;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.neo4j.driver.Logging;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.TransactionConfig;
import org.neo4j.driver.exceptions.ClientException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers graph updates and writes them to Neo4j as one managed transaction per batch, retrying
 * transient errors with a short bounded backoff. At-least-once: everything buffered is written on
 * {@link #flush}, which Flink calls before each checkpoint; the writes are idempotent.
 *
 * <p>A full batch is committed on a background thread while the task thread goes on collecting and
 * folding the next one, so Neo4j and the pipeline upstream work at the same time instead of taking
 * turns. One batch at most is in flight: the next waits for it, which keeps batches in order (a
 * user's FullLoad never overtakes an earlier live update) and back-pressures the job while Neo4j is
 * the bottleneck. A failed batch fails the next {@code write} or {@code flush}.
 *
 * <p>A batch Neo4j refuses for something in its data (an id too long for its index, a constraint)
 * is split in halves, and each half written or split again, until the updates at fault stand alone;
 * those go to {@link RejectedUpdates} and the rest is written. So one update the graph can never
 * accept costs a few extra transactions, not a restart loop that stalls every user.
 */
final class Neo4jGraphWriter implements SinkWriter<GraphUpdate> {

  private static final Logger LOG = LoggerFactory.getLogger(Neo4jGraphWriter.class);

  /** Held while a writer of this JVM creates the schema: see {@link #createConstraints}. */
  private static final Object SCHEMA = new Object();

  /** Rows of each step logged at debug level in logOnly mode. */
  private static final int LOGGED_ROWS_PER_STEP = 3;

  private final TransactionConfig txConfig;

  private final Neo4jSinkConfig config;
  private final ProcessingTimeService timeService;
  private final Neo4jSinkMetrics metrics;
  private final SinkWriterMetricGroup metricGroup;
  private final Driver driver;
  private final SessionConfig sessionConfig;

  private final WrittenNodeCache writtenNodes;
  private final RejectedUpdates.Writer rejected;
  private final ExecutorService background;
  private CompletableFuture<Void> inFlight = CompletableFuture.completedFuture(null);
  private final List<GraphUpdate> buffer = new ArrayList<>();
  private int bufferedRows;
  private long firstBufferedAtMs;
  private boolean timerArmed;

  Neo4jGraphWriter(
      Neo4jSinkConfig config,
      ProcessingTimeService timeService,
      SinkWriterMetricGroup metricGroup,
      RejectedUpdates.Writer rejected)
      throws IOException, InterruptedException {
    this(
        config,
        timeService,
        metricGroup,
        metricGroup,
        rejected,
        WrittenNodeCache.DEFAULT_MAX_ENTRIES_PER_KIND);
  }

  /**
   * @param metricGroup the writer's group (Flink's records-sent counter)
   * @param ownMetrics where the sink's own metrics go: the writer's group or a group under it
   */
  Neo4jGraphWriter(
      Neo4jSinkConfig config,
      ProcessingTimeService timeService,
      SinkWriterMetricGroup metricGroup,
      MetricGroup ownMetrics,
      RejectedUpdates.Writer rejected,
      int cachedNodesPerKind)
      throws IOException, InterruptedException {
    this.config = config;
    this.rejected = rejected;
    this.txConfig =
        TransactionConfig.builder()
            .withMetadata(Map.of("app", "consumer-graph-sink"))
            .withTimeout(config.transactionTimeout())
            .build();
    this.writtenNodes = new WrittenNodeCache(cachedNodesPerKind);
    this.timeService = timeService;
    this.metricGroup = metricGroup;
    this.metrics = new Neo4jSinkMetrics(ownMetrics);
    this.sessionConfig =
        config.database() == null
            ? SessionConfig.defaultConfig()
            : SessionConfig.forDatabase(config.database());
    if (config.logOnly()) {
      this.driver = null;
      this.background = null;
      LOG.info("Neo4j sink in logOnly mode: batches are logged, nothing is written");
    } else {
      this.driver = newDriver(config);
      createConstraints();
      warmUpQueryPlans();
      this.background =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, "neo4j-graph-writer");
                t.setDaemon(true);
                return t;
              });
    }
  }

  private static Driver newDriver(Neo4jSinkConfig config) {
    Config driverConfig =
        Config.builder()
            .withLogging(Logging.slf4j())
            // The driver's own retry starts at 1 s backoff; ours (10 ms doubling) governs instead.
            .withMaxTransactionRetryTime(0, TimeUnit.MILLISECONDS)
            .withMaxConnectionPoolSize(4)
            .build();
    return GraphDatabase.driver(
        config.uri(),
        config.hasCredentials()
            ? AuthTokens.basic(config.user(), config.resolvePassword(System.getenv()))
            : AuthTokens.none(),
        driverConfig);
  }

  private void createConstraints() throws IOException, InterruptedException {
    // Schema statements cannot share a transaction with data writes. Only the missing ones are
    // created: CREATE CONSTRAINT takes the schema's locks even when the constraint exists, and
    // writers starting together (the subtasks, the bulk and the enrolled sink) deadlocked on them.
    // The writers of one JVM go one at a time, so the later ones find the constraints made;
    // across task managers IF NOT EXISTS and the retry make the race harmless.
    withRetry(
        "create constraints",
        () -> {
          synchronized (SCHEMA) {
            try (Session session = driver.session(sessionConfig)) {
              Set<String> present = presentConstraints(session);
              for (Map.Entry<String, String> constraint :
                  GraphCypher.CONSTRAINTS_BY_NAME.entrySet()) {
                if (!present.contains(constraint.getKey())) {
                  session.executeWrite(tx -> tx.run(constraint.getValue()).consume(), txConfig);
                  LOG.info("Created Neo4j constraint {}", constraint.getKey());
                }
              }
            }
          }
        });
  }

  /**
   * The names of the database's constraints; none when this user may not list them (then every
   * constraint is created with IF NOT EXISTS, which needs the same privileges as before).
   */
  private static Set<String> presentConstraints(Session session) {
    try {
      return Set.copyOf(
          session.run("SHOW CONSTRAINTS YIELD name").list(r -> r.get("name").asString()));
    } catch (ClientException e) {
      if (e.code() == null || !e.code().startsWith("Neo.ClientError.Security.")) {
        throw e;
      }
      LOG.info("Cannot list Neo4j constraints ({}); creating them IF NOT EXISTS", e.code());
      return Set.of();
    }
  }

  private void warmUpQueryPlans() throws IOException, InterruptedException {
    // Planning the batch statements on a cold server takes seconds; planned inside the first
    // batch's transaction, that time is spent holding node locks other writers wait for.
    withRetry(
        "plan batch statements",
        () -> {
          try (Session session = driver.session(sessionConfig)) {
            session.executeWrite(
                tx -> {
                  for (String cypher : GraphCypher.BATCH_STATEMENTS) {
                    tx.run(cypher, Map.of("rows", List.of())).consume();
                  }
                  return null;
                },
                txConfig);
          }
        });
  }

  @Override
  public void write(GraphUpdate update, Context context) throws IOException, InterruptedException {
    if (inFlight.isCompletedExceptionally()) {
      awaitInFlight(); // throws the batch's failure
    }
    if (buffer.isEmpty()) {
      firstBufferedAtMs = timeService.getCurrentProcessingTime();
    }
    buffer.add(update);
    bufferedRows += GraphBatch.itemRows(update);
    if (bufferedRows >= config.batchRows()) {
      writeBuffer();
    } else if (!timerArmed) {
      armTimer(firstBufferedAtMs + config.maxBatchDelay().toMillis());
    }
  }

  private void armTimer(long atMs) {
    timerArmed = true;
    timeService.registerTimer(atMs, this::onTimer);
  }

  private void onTimer(long nowMs) throws IOException, InterruptedException {
    timerArmed = false;
    if (buffer.isEmpty()) {
      return;
    }
    long dueAtMs = firstBufferedAtMs + config.maxBatchDelay().toMillis();
    if (nowMs >= dueAtMs) {
      writeBuffer();
    } else {
      // The batch the timer was armed for went out by size; wait for the current one's deadline.
      armTimer(dueAtMs);
    }
  }

  @Override
  public void flush(boolean endOfInput) throws IOException, InterruptedException {
    writeBuffer();
    awaitInFlight();
    rejected.flush();
  }

  /** Folds the buffer and hands it to the background thread once the batch before is committed. */
  private void writeBuffer() throws IOException, InterruptedException {
    if (buffer.isEmpty()) {
      return;
    }
    List<GraphUpdate> updates = List.copyOf(buffer);
    GraphBatch folded = GraphBatch.fold(updates);
    buffer.clear();
    bufferedRows = 0;
    if (config.logOnly()) {
      logBatch(folded);
      counted(folded, 0);
      return;
    }
    // The cache must have seen the batch before commit, or it would keep rows this one needs.
    awaitInFlight();
    GraphBatch batch = writtenNodes.unwritten(folded);
    metrics.skippedRows.inc(folded.rowCount() - batch.rowCount());
    inFlight = CompletableFuture.runAsync(() -> commit(updates, batch), background);
  }

  /** On the background thread: the batch in one transaction, retried; then remembered. */
  private void commit(List<GraphUpdate> updates, GraphBatch batch) {
    long started = System.nanoTime();
    try {
      try {
        writeAndRemember("batch of " + batch, batch);
      } catch (RejectedBatchException e) {
        LOG.warn(
            "Neo4j rejected a batch of {} updates ({}); writing it in parts to set aside the"
                + " updates it cannot accept",
            updates.size(),
            e.error());
        writeHalves(updates);
      }
    } catch (IOException e) {
      metrics.failures.inc();
      throw new CompletionException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CompletionException(e);
    }
    counted(batch, (System.nanoTime() - started) / 1_000_000);
  }

  private void writeAndRemember(String what, GraphBatch batch)
      throws IOException, InterruptedException {
    withRetry("write " + what, () -> writeOnce(batch));
    // Only after the commit: a failed batch is sent again in full.
    writtenNodes.remember(batch);
  }

  /**
   * Writes each half of a rejected batch's updates in a transaction of its own, halving again what
   * Neo4j still rejects; a single rejected update goes to {@link RejectedUpdates}. The halves keep
   * the updates' order, so one user's updates are still applied in the order they came.
   */
  private void writeHalves(List<GraphUpdate> updates) throws IOException, InterruptedException {
    int half = updates.size() / 2;
    for (List<GraphUpdate> part :
        List.of(updates.subList(0, half), updates.subList(half, updates.size()))) {
      if (part.isEmpty()) {
        continue;
      }
      GraphBatch batch = writtenNodes.unwritten(GraphBatch.fold(part));
      try {
        metrics.isolationWrites.inc();
        writeAndRemember("part of a rejected batch, " + batch, batch);
      } catch (RejectedBatchException e) {
        if (part.size() > 1) {
          writeHalves(part);
        } else {
          GraphUpdate update = part.get(0);
          metrics.rejectedUpdates.inc();
          LOG.error(
              "Neo4j rejects the {} update of user {} for good ({}); it is set aside, the rest of"
                  + " its batch is written",
              update.fullLoad() ? "full-load" : "live",
              RejectedUpdates.shortId(update.userId()),
              e.error());
          rejected.rejected(update, e.error());
        }
      }
    }
  }

  private void counted(GraphBatch batch, long millis) {
    LOG.debug("Wrote {} in {} ms", batch, millis);
    metrics.lastBatchMillis(millis);
    metrics.batches.inc();
    metrics.rows.inc(batch.rowCount());
    metrics.updates.inc(batch.updateCount());
    metricGroup.getNumRecordsSendCounter().inc(batch.updateCount());
  }

  /**
   * Waits for the batch in flight; rethrows its failure. A batch that has not finished within the
   * transaction timeout plus the unavailable timeout (a server that accepts connections but never
   * answers) fails the job rather than blocking checkpoints forever.
   */
  void awaitInFlight() throws IOException, InterruptedException {
    long limitMs =
        config.transactionTimeout().toMillis() + config.unavailableTimeout().toMillis() + 60_000;
    try {
      inFlight.get(limitMs, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      metrics.failures.inc();
      throw new Neo4jSinkException(
          "A batch to Neo4j has not finished within " + limitMs + " ms: the server does not answer",
          e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof InterruptedException interrupted) {
        throw interrupted;
      }
      throw new Neo4jSinkException("Writing a batch to Neo4j failed: " + cause, cause);
    }
  }

  private void writeOnce(GraphBatch batch) {
    try (Session session = driver.session(sessionConfig)) {
      int created =
          session.executeWrite(
              tx -> {
                Set<String> newUsers = Set.of();
                for (GraphBatch.Step step : batch.steps()) {
                  if (step.kind().equals(GraphBatch.USERS)) {
                    newUsers =
                        Set.copyOf(
                            tx.run(step.cypher(), Map.of("rows", step.rows()))
                                .list(r -> r.get(0).asString()));
                    continue;
                  }
                  for (GraphBatch.Statement statement : step.statements(newUsers)) {
                    tx.run(statement.cypher(), Map.of("rows", statement.rows())).consume();
                  }
                }
                return newUsers.size();
              },
              txConfig);
      metrics.newUsers.inc(created);
    }
  }

  private void logBatch(GraphBatch batch) {
    LOG.info("logOnly: would write {}", batch);
    if (LOG.isDebugEnabled()) {
      for (GraphBatch.Step step : batch.steps()) {
        List<Map<String, Object>> rows = step.rows();
        LOG.debug(
            "logOnly: {} first rows: {}",
            step.kind(),
            rows.subList(0, Math.min(LOGGED_ROWS_PER_STEP, rows.size())));
      }
    }
  }

  private interface Neo4jCall {
    void run();
  }

  /**
   * Runs {@code call}, retrying what may succeed later: transient errors (deadlocks, lock timeouts)
   * up to {@code maxRetries} times with a short backoff; while Neo4j cannot be reached at all
   * (restart, failover, network), for up to {@code unavailableTimeout} with a backoff growing to 10
   * s, so routine restarts are ridden out instead of restarting the job.
   */
  private void withRetry(String what, Neo4jCall call) throws IOException, InterruptedException {
    long unavailableSince = -1;
    int unavailableRetries = 0;
    for (int retry = 0; ; ) {
      try {
        call.run();
        if (unavailableSince >= 0) {
          LOG.info(
              "Neo4j is reachable again after {} ms; '{}' succeeded",
              System.currentTimeMillis() - unavailableSince,
              what);
          metrics.unavailableSince(0);
        }
        return;
      } catch (RuntimeException e) {
        String error = Neo4jErrorClassifier.describe(e);
        Neo4jErrorClassifier.Verdict verdict = Neo4jErrorClassifier.classify(e);
        if (verdict == Neo4jErrorClassifier.Verdict.REJECT) {
          throw new RejectedBatchException(what, error, e);
        }
        if (verdict == Neo4jErrorClassifier.Verdict.FATAL) {
          throw new Neo4jSinkException(
              "Neo4j rejected '" + what + "' with a non-retryable error: " + error, e);
        }
        if (Neo4jErrorClassifier.isUnreachable(e)) {
          long now = System.currentTimeMillis();
          if (unavailableSince < 0) {
            unavailableSince = now;
            metrics.unavailableSince(now);
            LOG.warn(
                "Neo4j cannot be reached ({}); retrying '{}' for up to {}",
                error,
                what,
                config.unavailableTimeout());
          }
          if (now - unavailableSince >= config.unavailableTimeout().toMillis()) {
            metrics.unavailableSince(0);
            throw new Neo4jSinkException(
                "Neo4j could not be reached for "
                    + config.unavailableTimeout()
                    + " while trying '"
                    + what
                    + "', last error: "
                    + error,
                e);
          }
          metrics.retries.inc();
          long sleep = Neo4jSinkConfig.unavailableBackoff(unavailableRetries++).toMillis();
          LOG.debug("Neo4j still unreachable, retrying '{}' in {} ms: {}", what, sleep, error);
          Thread.sleep(sleep);
          continue;
        }
        if (retry >= config.maxRetries()) {
          throw new Neo4jSinkException(
              "Neo4j kept failing '"
                  + what
                  + "' after "
                  + config.maxRetries()
                  + " retries, last error: "
                  + error,
              e);
        }
        metrics.retries.inc();
        long backoff = config.retryBackoff(retry++).toMillis();
        // Jitter keeps parallel writers that deadlocked each other from retrying in lockstep.
        long sleep = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        LOG.warn("Retrying '{}' in {} ms (retry {}): {}", what, sleep, retry + 1, error);
        Thread.sleep(sleep);
      }
    }
  }

  WrittenNodeCache writtenNodes() {
    return writtenNodes;
  }

  Neo4jSinkMetrics metrics() {
    return metrics;
  }

  @Override
  public void close() {
    if (background != null) {
      // After a flush nothing is in flight; on cancellation the batch in flight is abandoned
      // (its transaction rolls back when the driver closes) and replayed from the checkpoint.
      background.shutdownNow();
      try {
        background.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (driver != null) {
      driver.close();
    }
    try {
      rejected.close();
    } catch (IOException e) {
      LOG.warn("Closing the rejected-update output failed", e);
    }
  }
}
