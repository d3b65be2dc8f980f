package io.consumergraph.tools.admin;

import java.net.URI;
import java.nio.file.Path;

/**
 * The admin service's settings. The token and the Neo4j password come from the environment only
 * ({@code ADMIN_TOKEN}, {@code NEO4J_PASSWORD}); {@code null} marks what is not configured.
 */
public record AdminConfig(
    String host,
    int port,
    String token,
    Path stateDir,
    String bulkQueueUrl,
    String enrollmentQueueUrl,
    URI sqsEndpoint,
    String region,
    URI s3Endpoint,
    URI neo4jUri,
    String neo4jUser,
    String neo4jPassword,
    double defaultRateLimit,
    double maxRateLimit,
    int maxAttempts) {

  public static final int DEFAULT_PORT = 8088;

  public AdminConfig {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("no admin token");
    }
  }
}
