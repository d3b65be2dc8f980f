package io.consumergraph.tools.admin;

import io.consumergraph.tools.backfill.InvalidUserIdsException;
import io.consumergraph.tools.backfill.UserFileReader;
import io.consumergraph.tools.backfill.UserIdCollector;
import io.consumergraph.tools.backfill.UserIds;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Record;
import org.neo4j.driver.Result;
import org.neo4j.driver.Session;
import org.neo4j.driver.Value;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Where the user ids of an admin backfill come from: the request body, an S3 user file, or every
 * {@code User} of the graph. Each goes through {@link UserIdCollector}, like the CLI's file, and
 * answers 422 with the problems when the ids cannot be sent.
 */
public final class UserIdSources {

  private static final Pattern S3_URI =
      Pattern.compile("s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])/(.+)");

  /** Every user id of the graph; LIMIT reads one past the cap, so an oversized graph is told. */
  static final String NEO4J_QUERY =
      "MATCH (u:User) WHERE u.user_id IS NOT NULL RETURN u.user_id AS user_id LIMIT $limit";

  private final S3Client s3;
  private final Driver neo4j;

  public UserIdSources(S3Client s3, Driver neo4j) {
    this.s3 = s3;
    this.neo4j = neo4j;
  }

  public static UserIds fromList(List<String> ids) {
    UserIdCollector collector = new UserIdCollector();
    for (int i = 0; i < ids.size(); i++) {
      if (!collector.add(ids.get(i), i + 1)) {
        break;
      }
    }
    return collected(collector, "user_ids");
  }

  public UserIds fromS3(String uri) {
    Matcher m = S3_URI.matcher(uri);
    if (!m.matches()) {
      throw new ApiError(422, "s3_uri is not an s3://bucket/key URI", Map.of("s3_uri", uri));
    }
    if (s3 == null) {
      throw new ApiError(422, "S3 is not configured on this service");
    }
    String bucket = m.group(1);
    String key = m.group(2);
    try (ResponseInputStream<GetObjectResponse> object =
        s3.getObject(b -> b.bucket(bucket).key(key))) {
      UserIds ids = UserFileReader.read((InputStream) object, uri, UserIdCollector.MAX_USER_IDS);
      if (ids.size() == 0) {
        throw new ApiError(422, "no user ids to send", Map.of("source", uri));
      }
      return ids;
    } catch (NoSuchKeyException | NoSuchBucketException e) {
      throw new ApiError(422, "s3 object does not exist", Map.of("s3_uri", uri));
    } catch (S3Exception e) {
      int status = e.statusCode();
      if (status == 404) {
        throw new ApiError(422, "s3 object does not exist", Map.of("s3_uri", uri));
      }
      throw new ApiError(
          422,
          "s3 object could not be read",
          Map.of("s3_uri", uri, "reason", String.valueOf(e.getMessage())));
    } catch (InvalidUserIdsException e) {
      throw invalid(e);
    } catch (IOException e) {
      throw new ApiError(
          422,
          "s3 object could not be read",
          Map.of("s3_uri", uri, "reason", String.valueOf(e.getMessage())));
    }
  }

  public UserIds fromNeo4j() {
    if (neo4j == null) {
      throw new ApiError(422, "Neo4j is not configured on this service");
    }
    UserIdCollector collector = new UserIdCollector();
    try (Session session = neo4j.session()) {
      session.executeRead(
          tx -> {
            Result result = tx.run(NEO4J_QUERY, Map.of("limit", UserIdCollector.MAX_USER_IDS + 1L));
            int row = 0;
            while (result.hasNext()) {
              Record record = result.next();
              row++;
              Value value = record.get("user_id");
              if (!value.hasType(org.neo4j.driver.types.TypeSystem.getDefault().STRING())) {
                collector.reject(row, value.toString(), "user_id is not a string");
              } else if (!collector.add(value.asString(), row)) {
                break;
              }
            }
            result.consume();
            return null;
          });
    }
    return collected(collector, "the graph");
  }

  private static UserIds collected(UserIdCollector collector, String what) {
    try {
      UserIds ids = collector.result(what);
      if (ids.size() == 0) {
        throw new ApiError(422, "no user ids to send", Map.of("source", what));
      }
      return ids;
    } catch (InvalidUserIdsException e) {
      throw invalid(e);
    }
  }

  static ApiError invalid(InvalidUserIdsException e) {
    if (e.problemCount() == 0) {
      return new ApiError(
          422, e.getMessage(), Map.of("max_user_ids", UserIdCollector.MAX_USER_IDS));
    }
    return new ApiError(
        422,
        e.getMessage(),
        Map.of(
            "invalid_count",
            e.problemCount(),
            "invalid",
            e.problems().stream()
                .map(
                    p -> {
                      Map<String, Object> item = new java.util.LinkedHashMap<>();
                      item.put("position", p.line());
                      item.put("user_id", p.id());
                      item.put("problem", p.reason());
                      return item;
                    })
                .toList()));
  }
}
