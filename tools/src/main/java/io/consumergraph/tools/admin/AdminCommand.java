package io.consumergraph.tools.admin;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code admin} command: runs the admin HTTP service until the process is stopped. */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs the admin HTTP service (backfill jobs, enrollment). Every endpoint needs",
      "'Authorization: Bearer $ADMIN_TOKEN'; the service does not start without ADMIN_TOKEN.",
      "The Neo4j password is read from NEO4J_PASSWORD only."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "2:bad flags or configuration (e.g. no ADMIN_TOKEN)"})
public final class AdminCommand implements Callable<Integer> {

  public static final String TOKEN_ENV = "ADMIN_TOKEN";
  public static final String NEO4J_PASSWORD_ENV = "NEO4J_PASSWORD";

  @Spec CommandSpec spec;

  @Option(
      names = "--host",
      defaultValue = "${env:ADMIN_HOST:-0.0.0.0}",
      description = "Address to listen on (default: ${DEFAULT-VALUE}, env ADMIN_HOST).")
  String host;

  @Option(
      names = "--port",
      defaultValue = "${env:ADMIN_PORT:-8088}",
      description = "Port (default: ${DEFAULT-VALUE}, env ADMIN_PORT).")
  int port;

  @Option(
      names = "--state-dir",
      defaultValue = "${env:ADMIN_STATE_DIR:-admin-state}",
      description =
          "Directory of the jobs' progress files (default: ${DEFAULT-VALUE}, env ADMIN_STATE_DIR).")
  Path stateDir;

  @Option(
      names = "--queue-url",
      defaultValue = "${env:CONSUMER_GRAPH_QUEUE_URL}",
      description = "The bulk queue backfills go to (env CONSUMER_GRAPH_QUEUE_URL).")
  String queueUrl;

  @Option(
      names = "--enrollment-queue-url",
      defaultValue = "${env:ADMIN_ENROLLMENT_QUEUE_URL}",
      description = "The enrollment queue (env ADMIN_ENROLLMENT_QUEUE_URL).")
  String enrollmentQueueUrl;

  @Option(
      names = "--sqs-endpoint-url",
      defaultValue = "${env:SQS_ENDPOINT_URL}",
      description = "An SQS endpoint other than AWS's, e.g. ElasticMQ (env SQS_ENDPOINT_URL).")
  URI sqsEndpoint;

  @Option(
      names = "--region",
      defaultValue = "${env:AWS_REGION}",
      description = "AWS region (default: the SDK's chain).")
  String region;

  @Option(
      names = "--s3-endpoint-url",
      defaultValue = "${env:S3_ENDPOINT_URL}",
      description = "An S3 endpoint other than AWS's (env S3_ENDPOINT_URL).")
  URI s3Endpoint;

  @Option(
      names = "--neo4j-uri",
      defaultValue = "${env:NEO4J_URI}",
      description = "Bolt URI of the graph, for source=neo4j (env NEO4J_URI).")
  URI neo4jUri;

  @Option(
      names = "--neo4j-user",
      defaultValue = "${env:NEO4J_USER:-neo4j}",
      description = "Neo4j user (default: ${DEFAULT-VALUE}, env NEO4J_USER).")
  String neo4jUser;

  @Option(
      names = "--default-rate-limit",
      defaultValue = "10",
      description = "Messages per second of a job that names none (default: ${DEFAULT-VALUE}).")
  double defaultRateLimit;

  @Option(
      names = "--max-rate-limit",
      defaultValue = "1000",
      description = "The highest rate_limit a job may ask for (default: ${DEFAULT-VALUE}).")
  double maxRateLimit;

  @Option(
      names = "--max-attempts",
      defaultValue = "6",
      description = "Attempts per batch before a job fails (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  private final Map<String, String> env;

  public AdminCommand() {
    this(System.getenv());
  }

  public AdminCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() throws Exception {
    String token = env.get(TOKEN_ENV);
    if (token == null || token.isBlank()) {
      spec.commandLine()
          .getErr()
          .println(
              "error: "
                  + TOKEN_ENV
                  + " is not set; the admin service does not start without a bearer token");
      spec.commandLine().getErr().flush();
      return 2;
    }
    if (queueUrl == null || queueUrl.isBlank()) {
      spec.commandLine()
          .getErr()
          .println("error: no bulk queue: pass --queue-url or set CONSUMER_GRAPH_QUEUE_URL");
      spec.commandLine().getErr().flush();
      return 2;
    }
    if (!(defaultRateLimit > 0) || defaultRateLimit > maxRateLimit) {
      spec.commandLine()
          .getErr()
          .println("error: --default-rate-limit must be more than 0 and at most --max-rate-limit");
      return 2;
    }
    AdminConfig config =
        new AdminConfig(
            host,
            port,
            token,
            stateDir,
            queueUrl,
            blankToNull(enrollmentQueueUrl),
            sqsEndpoint,
            blankToNull(region),
            s3Endpoint,
            neo4jUri,
            neo4jUser,
            blankToNull(env.get(NEO4J_PASSWORD_ENV)),
            defaultRateLimit,
            maxRateLimit,
            maxAttempts);
    AdminService service = AdminService.start(config);
    spec.commandLine().getOut().println("Admin service listening on port " + service.port());
    spec.commandLine().getOut().flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  service.close();
                  stopped.countDown();
                },
                "admin-shutdown"));
    stopped.await();
    return 0;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value;
  }
}
