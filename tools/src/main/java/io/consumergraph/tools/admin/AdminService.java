package io.consumergraph.tools.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.tools.backfill.AwsClients;
import io.consumergraph.tools.backfill.BackfillSender;
import io.consumergraph.tools.backfill.BackfillSender.Ending;
import io.consumergraph.tools.backfill.BackfillSender.Outcome;
import io.consumergraph.tools.backfill.BackfillSender.RetryPolicy;
import io.consumergraph.tools.backfill.Pacer;
import io.consumergraph.tools.backfill.ProgressReport;
import io.consumergraph.tools.backfill.QueueSender;
import io.consumergraph.tools.backfill.SendPosition;
import io.consumergraph.tools.backfill.SqsQueueSender;
import io.consumergraph.tools.backfill.UserIds;
import io.consumergraph.tools.backfill.UserLoadMessages;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.neo4j.driver.AuthTokens;
import org.neo4j.driver.Driver;
import org.neo4j.driver.GraphDatabase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The admin HTTP service: starts backfill jobs from a list, an S3 user file or the graph, reports
 * and cancels them, and enrolls users through the enrollment queue. Every endpoint needs the bearer
 * token.
 */
public final class AdminService implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(AdminService.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The largest request body accepted (a million ids is about 15 MB of JSON). */
  public static final long MAX_BODY_BYTES = 50L * 1024 * 1024;

  /** The most user ids one enrollment request may carry; it is sent while the client waits. */
  public static final int MAX_ENROLL_IDS = 1_000;

  private final AdminConfig config;
  private final byte[] tokenHash;
  private final SqsClient sqs;
  private final Driver neo4j;
  private final S3Client s3;
  private final BackfillJobs jobs;
  private final UserIdSources sources;
  private final Javalin app;

  private AdminService(AdminConfig config) throws IOException {
    this.config = config;
    this.tokenHash = sha256(config.token());
    this.sqs = AwsClients.sqs(config.sqsEndpoint(), config.region(), config.bulkQueueUrl());
    this.s3 = s3Client(config);
    this.neo4j =
        config.neo4jUri() == null
            ? null
            : GraphDatabase.driver(
                config.neo4jUri(),
                config.neo4jPassword() == null
                    ? AuthTokens.none()
                    : AuthTokens.basic(config.neo4jUser(), config.neo4jPassword()));
    this.sources = new UserIdSources(s3, neo4j);
    this.jobs =
        new BackfillJobs(
            new JobStore(config.stateDir()),
            new SqsQueueSender(sqs, config.bulkQueueUrl(), false),
            new RetryPolicy(config.maxAttempts(), 200, 5_000),
            Clock.systemUTC());
    this.app =
        Javalin.create(
            c -> {
              c.startup.showJavalinBanner = false;
              c.http.maxRequestSize = MAX_BODY_BYTES;
              c.jetty.host = config.host();
              c.jetty.port = config.port();
              c.routes.before(this::authenticate);
              c.routes.post("/admin/backfill", this::submit);
              c.routes.get(
                  "/admin/backfill",
                  ctx ->
                      json(
                          ctx,
                          200,
                          Map.of("jobs", jobs.list().stream().map(AdminService::view).toList())));
              c.routes.get(
                  "/admin/backfill/{job_id}",
                  ctx -> json(ctx, 200, view(jobs.get(ctx.pathParam("job_id")))));
              c.routes.post(
                  "/admin/backfill/{job_id}/cancel",
                  ctx -> json(ctx, 200, view(jobs.cancel(ctx.pathParam("job_id")))));
              c.routes.post("/consumer-graph-worker/enroll", this::enroll);
              c.routes.exception(
                  ApiError.class, (e, ctx) -> error(ctx, e.status(), e.getMessage(), e.detail()));
              c.routes.exception(
                  HttpResponseException.class,
                  (e, ctx) -> error(ctx, e.getStatus(), e.getMessage(), null));
              c.routes.exception(
                  Exception.class,
                  (e, ctx) -> {
                    LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
                    error(ctx, 500, "internal error", e.toString());
                  });
              c.routes.error(
                  404,
                  ctx -> {
                    if (!"application/json".equals(ctx.res().getContentType())) {
                      error(ctx, 404, "not found", Map.of("path", ctx.path()));
                    }
                  });
              c.routes.error(
                  405, ctx -> error(ctx, 405, "method not allowed", Map.of("path", ctx.path())));
            });
  }

  /** Starts the service; jobs left unfinished in the state directory resume at once. */
  public static AdminService start(AdminConfig config) throws IOException {
    AdminService service = new AdminService(config);
    service.app.start();
    LOG.info("Admin service listening on http://{}:{}", config.host(), service.port());
    return service;
  }

  public int port() {
    return app.port();
  }

  BackfillJobs jobs() {
    return jobs;
  }

  private static S3Client s3Client(AdminConfig config) {
    try {
      return AwsClients.s3(config.s3Endpoint(), config.region());
    } catch (IllegalArgumentException e) {
      LOG.warn("S3 is not available: {}", e.getMessage());
      return null;
    }
  }

  private void authenticate(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      ctx.header("WWW-Authenticate", "Bearer");
      throw new ApiError(401, "unauthorized", "missing bearer token");
    }
    // Hashing first makes the comparison constant-time whatever the presented token's length.
    if (!MessageDigest.isEqual(tokenHash, sha256(header.substring(7).trim()))) {
      ctx.header("WWW-Authenticate", "Bearer error=\"invalid_token\"");
      throw new ApiError(401, "unauthorized", "wrong bearer token");
    }
    long length = ctx.req().getContentLengthLong();
    if (length > MAX_BODY_BYTES) {
      throw new ApiError(
          413, "request body too large", Map.of("max_bytes", MAX_BODY_BYTES, "bytes", length));
    }
  }

  private void submit(Context ctx) throws IOException {
    AdminRequests.Backfill request =
        AdminRequests.backfill(body(ctx), config.defaultRateLimit(), config.maxRateLimit());
    jobs.checkIdle(); // before fetching a large source for nothing
    UserIds ids;
    String source;
    if (request.userIds() != null) {
      ids = UserIdSources.fromList(request.userIds());
      source = "user_ids";
    } else if (request.s3Uri() != null) {
      ids = sources.fromS3(request.s3Uri());
      source = request.s3Uri();
    } else {
      ids = sources.fromNeo4j();
      source = "neo4j";
    }
    JobState job =
        jobs.submit(
            ids,
            source,
            new BackfillJobs.Settings(
                request.rateLimit(), request.lookbackDays(), request.force(), request.priority()));
    Map<String, Object> response = new LinkedHashMap<>();
    response.put("job_id", job.jobId());
    response.put("state", job.state());
    response.put("total", job.total());
    response.put("duplicates", job.duplicates());
    ctx.header("Location", "/admin/backfill/" + job.jobId());
    json(ctx, 202, response);
  }

  private void enroll(Context ctx) {
    if (config.enrollmentQueueUrl() == null) {
      throw new ApiError(503, "no enrollment queue configured (ADMIN_ENROLLMENT_QUEUE_URL)");
    }
    AdminRequests.Enroll request = AdminRequests.enroll(body(ctx));
    if (request.userIds().size() > MAX_ENROLL_IDS) {
      throw new ApiError(
          422, "too many user ids for one enrollment", Map.of("max_user_ids", MAX_ENROLL_IDS));
    }
    UserIds ids = UserIdSources.fromList(request.userIds());
    UserLoadMessages messages =
        new UserLoadMessages(
            UserLoadMessages.REASON_ENROLLMENT,
            request.lookbackDays(),
            "high",
            request.force(),
            UserLoadMessages.randomRequestIds(),
            Clock.systemUTC());
    try (QueueSender queue = new SqsQueueSender(sqs, config.enrollmentQueueUrl(), false)) {
      Outcome outcome =
          new BackfillSender(
                  queue,
                  new Pacer(1_000, Pacer.Ticker.SYSTEM),
                  QueueSender.MAX_BATCH,
                  new RetryPolicy(config.maxAttempts(), 100, 1_000),
                  messages::body)
              .run(ids.ids(), SendPosition.START, (p, n) -> {}, () -> false);
      if (outcome.ending() != Ending.COMPLETED) {
        throw new ApiError(
            502,
            "the enrollment queue did not take every message",
            Map.of(
                "sent",
                outcome.sentThisRun(),
                "total",
                ids.size(),
                "reason",
                String.valueOf(outcome.error())));
      }
      json(ctx, 200, Map.of("sent", outcome.sentThisRun(), "duplicates", ids.duplicates()));
    }
  }

  private static String body(Context ctx) {
    return new String(ctx.bodyAsBytes(), StandardCharsets.UTF_8);
  }

  static Map<String, Object> view(BackfillJobs.View view) {
    JobState s = view.state();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", s.jobId());
    m.put("state", s.state());
    m.put("source", s.source());
    m.put("total", s.total());
    m.put("sent", s.sent());
    m.put("remaining", s.total() - s.sent());
    m.put("duplicates", s.duplicates());
    m.put("rate", Math.round(view.rate() * 10) / 10.0);
    m.put("rate_limit", s.rateLimit());
    m.put("eta_seconds", view.etaSeconds() == null ? null : Math.round(view.etaSeconds()));
    m.put(
        "eta",
        view.etaSeconds() == null
            ? null
            : ProgressReport.duration(Duration.ofMillis((long) (view.etaSeconds() * 1000))));
    m.put("lookback_days", s.lookbackDays());
    m.put("force", s.force());
    m.put("priority", s.priority());
    m.put("created_at", s.createdAt());
    m.put("started_at", s.startedAt());
    m.put("finished_at", s.finishedAt());
    m.put("restarts", s.restarts());
    m.put("error", s.error());
    return m;
  }

  private static void error(Context ctx, int status, String error, Object detail) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("error", error);
    body.put("detail", detail);
    json(ctx, status, body);
  }

  private static void json(Context ctx, int status, Object body) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsString(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stops taking requests, pauses the running job at a batch boundary and persists it. */
  @Override
  public void close() {
    app.stop();
    jobs.close();
    if (neo4j != null) {
      neo4j.close();
    }
    if (s3 != null) {
      s3.close();
    }
    sqs.close();
    LOG.info("Admin service stopped");
  }
}
