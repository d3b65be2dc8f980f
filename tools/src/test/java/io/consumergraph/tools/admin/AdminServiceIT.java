package io.consumergraph.tools.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.embedded.EmbeddedS3;
import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.tools.QueueMessages;
import io.consumergraph.tools.QueueMessages.Received;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The admin service over real HTTP, against ElasticMQ, S3Proxy and an in-process Neo4j. */
class AdminServiceIT {

  private static final String TOKEN = "s3cret-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final AtomicInteger QUEUES = new AtomicInteger();
  private static EmbeddedSqs sqs;
  private static EmbeddedS3 s3;
  private static EmbeddedNeo4j neo4j;

  private final HttpClient http = HttpClient.newHttpClient();
  @TempDir Path stateDir;
  private String bulkQueue;
  private String enrollmentQueue;
  private AdminService service;

  @BeforeAll
  static void startServers() {
    sqs = EmbeddedSqs.start();
    s3 = EmbeddedS3.start();
    neo4j = EmbeddedNeo4j.start();
  }

  @AfterAll
  static void stopServers() {
    neo4j.close();
    s3.close();
    sqs.close();
  }

  @BeforeEach
  void startService() throws Exception {
    int n = QUEUES.incrementAndGet();
    bulkQueue = sqs.createQueue("bulk-" + n, Map.of());
    enrollmentQueue = sqs.createQueue("enroll-" + n, Map.of());
    service = AdminService.start(config());
  }

  @AfterEach
  void stopService() {
    service.close();
  }

  private AdminConfig config() {
    return new AdminConfig(
        "127.0.0.1",
        0,
        TOKEN,
        stateDir,
        bulkQueue,
        enrollmentQueue,
        sqs.endpoint(),
        "us-east-1",
        s3.endpoint(),
        neo4j.boltUri(),
        "neo4j",
        null,
        10,
        1000,
        2);
  }

  record Reply(int status, JsonNode json) {}

  private Reply call(String method, String path, String token, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(
        response.statusCode(), response.body().isEmpty() ? null : JSON.readTree(response.body()));
  }

  private Reply post(String path, String body) throws Exception {
    return call("POST", path, TOKEN, body);
  }

  private Reply get(String path) throws Exception {
    return call("GET", path, TOKEN, null);
  }

  private static String idsBody(List<String> ids, String extra) throws Exception {
    return "{\"user_ids\":"
        + JSON.writeValueAsString(ids)
        + (extra.isEmpty() ? "" : "," + extra)
        + "}";
  }

  private static List<String> ids(String prefix, int n) {
    return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
  }

  private JsonNode awaitState(String jobId, String state) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    JsonNode job = null;
    while (System.currentTimeMillis() < deadline) {
      job = get("/admin/backfill/" + jobId).json();
      if (job.get("state").asText().equals(state)) {
        return job;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + jobId + " never reached " + state + ": " + job);
  }

  @Test
  void everyEndpointNeedsTheBearerToken() throws Exception {
    List<String[]> endpoints =
        List.of(
            new String[] {"POST", "/admin/backfill", "{\"user_ids\":[\"u1\"]}"},
            new String[] {"GET", "/admin/backfill", null},
            new String[] {"GET", "/admin/backfill/x", null},
            new String[] {"POST", "/admin/backfill/x/cancel", null},
            new String[] {"POST", "/consumer-graph-worker/enroll", "{\"user_id\":\"u1\"}"},
            new String[] {"GET", "/nowhere", null});
    for (String[] e : endpoints) {
      for (String token : new String[] {null, "wrong", TOKEN + "x", ""}) {
        Reply reply = call(e[0], e[1], token, e[2]);
        assertThat(reply.status()).as("%s %s with %s", e[0], e[1], token).isEqualTo(401);
        assertThat(reply.json().get("error").asText()).isEqualTo("unauthorized");
      }
    }
    assertThat(QueueMessages.drain(sqs.client(), bulkQueue)).isEmpty();
    assertThat(QueueMessages.drain(sqs.client(), enrollmentQueue)).isEmpty();
    assertThat(get("/admin/backfill").status()).isEqualTo(200);
    assertThat(get("/nowhere").status()).isEqualTo(404);
  }

  @Test
  void refusesToStartWithoutAToken() {
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new AdminCommand(Map.of()))
            .setErr(new PrintWriter(err, true))
            .execute("--queue-url", bulkQueue, "--port", "0", "--state-dir", stateDir.toString());
    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains("ADMIN_TOKEN is not set; the admin service does not start");
  }

  @Test
  void runsAJobFromUserIdsToTheEnd() throws Exception {
    List<String> ids = new ArrayList<>(ids("u", 50));
    ids.add("u3");
    Reply accepted =
        post(
            "/admin/backfill",
            idsBody(
                ids,
                "\"rate_limit\":500,\"lookback_days\":90,\"priority\":\"normal\",\"force\":true"));
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.json().get("total").asInt()).isEqualTo(50);
    assertThat(accepted.json().get("duplicates").asInt()).isEqualTo(1);
    String jobId = accepted.json().get("job_id").asText();
    JsonNode done = awaitState(jobId, "done");
    assertThat(done.get("sent").asInt()).isEqualTo(50);
    assertThat(done.get("remaining").asInt()).isZero();
    assertThat(done.get("error").isNull()).isTrue();
    List<Received> received = QueueMessages.drain(sqs.client(), bulkQueue);
    assertThat(QueueMessages.userIds(received)).containsExactlyInAnyOrderElementsOf(ids("u", 50));
    assertThat(received.get(0).body().get("lookback_days").asInt()).isEqualTo(90);
    assertThat(received.get(0).body().get("priority").asText()).isEqualTo("normal");
    assertThat(received.get(0).body().get("force").asBoolean()).isTrue();
    assertThat(received.get(0).body().get("reason").asText()).isEqualTo("batch_backfill");
    JsonNode list = get("/admin/backfill").json().get("jobs");
    assertThat(list).hasSize(1);
    assertThat(list.get(0).get("job_id").asText()).isEqualTo(jobId);
    assertThat(Files.exists(stateDir.resolve(jobId + ".json"))).isTrue();
  }

  @Test
  void oneJobAtATimeAndCancel() throws Exception {
    String first =
        post("/admin/backfill", idsBody(ids("a", 200), "\"rate_limit\":20"))
            .json()
            .get("job_id")
            .asText();
    Reply second = post("/admin/backfill", idsBody(ids("b", 5), ""));
    assertThat(second.status()).isEqualTo(409);
    assertThat(second.json().get("detail").get("job_id").asText()).isEqualTo(first);
    JsonNode running = awaitState(first, "running");
    assertThat(running.get("eta_seconds").asLong()).isBetween(1L, 11L);
    Thread.sleep(600);
    Reply cancel = post("/admin/backfill/" + first + "/cancel", null);
    assertThat(cancel.status()).isEqualTo(200);
    JsonNode cancelled = awaitState(first, "cancelled");
    int sent = cancelled.get("sent").asInt();
    assertThat(sent).isBetween(1, 199);
    assertThat(cancelled.get("remaining").asInt()).isEqualTo(200 - sent);
    assertThat(post("/admin/backfill/" + first + "/cancel", null).status()).isEqualTo(409);
    assertThat(post("/admin/backfill/nope/cancel", null).status()).isEqualTo(404);
    assertThat(get("/admin/backfill/nope").status()).isEqualTo(404);
    assertThat(QueueMessages.drain(sqs.client(), bulkQueue)).hasSize(sent);
    // once the first job ended, a new one is accepted
    assertThat(post("/admin/backfill", idsBody(ids("b", 5), "\"rate_limit\":100")).status())
        .isEqualTo(202);
  }

  @Test
  void aRestartedServiceResumesTheJobAndSendsEachIdOnce() throws Exception {
    List<String> ids = ids("r", 200);
    String jobId =
        post("/admin/backfill", idsBody(ids, "\"rate_limit\":50")).json().get("job_id").asText();
    awaitState(jobId, "running");
    long deadline = System.currentTimeMillis() + 20_000;
    while (get("/admin/backfill/" + jobId).json().get("sent").asInt() < 40
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    service.close();
    JobState paused = new JobStore(stateDir).loadAll().get(0);
    assertThat(paused.state()).isEqualTo("running");
    assertThat(paused.sent()).isBetween(40, 199);
    int beforeRestart = QueueMessages.drain(sqs.client(), bulkQueue).size();
    assertThat(beforeRestart).isEqualTo(paused.sent());

    service = AdminService.start(config());
    JsonNode done = awaitState(jobId, "done");
    assertThat(done.get("sent").asInt()).isEqualTo(200);
    assertThat(done.get("restarts").asInt()).isEqualTo(1);
    List<Received> after = QueueMessages.drain(sqs.client(), bulkQueue);
    assertThat(after).hasSize(200 - beforeRestart);
    // the whole queue: first part (received before the restart) and the rest
    List<String> all = new ArrayList<>(ids.subList(0, beforeRestart));
    all.addAll(QueueMessages.userIds(after));
    assertThat(all).hasSize(200).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void validatesTheRequestBody() throws Exception {
    assertThat(post("/admin/backfill", "{not json").status()).isEqualTo(400);
    assertThat(post("/admin/backfill", "[1]").status()).isEqualTo(400);
    Reply unknown = post("/admin/backfill", "{\"user_ids\":[\"u\"],\"colour\":1}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.json().get("error").asText()).isEqualTo("unknown field");
    assertThat(unknown.json().get("detail").get("fields").get(0).asText()).isEqualTo("colour");
    assertThat(post("/admin/backfill", "{\"user_ids\":[\"u\"],\"s3_uri\":\"s3://b/k\"}").status())
        .isEqualTo(400);
    assertThat(post("/admin/backfill", "{}").status()).isEqualTo(400);
    assertThat(post("/admin/backfill", "{\"user_ids\":\"u1\"}").status()).isEqualTo(400);
    Reply wrongItem = post("/admin/backfill", "{\"user_ids\":[\"u1\",2]}");
    assertThat(wrongItem.status()).isEqualTo(400);
    assertThat(wrongItem.json().get("detail").get("field").asText()).isEqualTo("user_ids[1]");
    assertThat(post("/admin/backfill", "{\"user_ids\":[\"u1\"],\"lookback_days\":\"30\"}").status())
        .isEqualTo(400);
    assertThat(post("/admin/backfill", "{\"user_ids\":[\"u1\"],\"force\":\"yes\"}").status())
        .isEqualTo(400);
    assertThat(post("/admin/backfill", "{\"user_ids\":[\"u1\"],\"lookback_days\":731}").status())
        .isEqualTo(422);
    assertThat(post("/admin/backfill", "{\"user_ids\":[\"u1\"],\"rate_limit\":0}").status())
        .isEqualTo(422);
    assertThat(post("/admin/backfill", "{\"user_ids\":[\"u1\"],\"priority\":\"urgent\"}").status())
        .isEqualTo(422);
    assertThat(post("/admin/backfill", "{\"source\":\"mysql\"}").status()).isEqualTo(422);
    assertThat(post("/admin/backfill", "{\"user_ids\":[]}").status()).isEqualTo(422);
    Reply invalid = post("/admin/backfill", "{\"user_ids\":[\"ok\",\"a b\",\"..\",\"ok2\"]}");
    assertThat(invalid.status()).isEqualTo(422);
    assertThat(invalid.json().get("error").asText()).isEqualTo("user_ids has 2 malformed user ids");
    JsonNode listed = invalid.json().get("detail").get("invalid");
    assertThat(listed.get(0).get("position").asInt()).isEqualTo(2);
    assertThat(listed.get(0).get("user_id").asText()).isEqualTo("a b");
    assertThat(listed.get(1).get("problem").asText()).isEqualTo("'..' is not a user id");
    assertThat(get("/admin/backfill").json().get("jobs")).isEmpty();
  }

  @Test
  void capsIdsAndBodySize() throws Exception {
    String million =
        IntStream.rangeClosed(0, 1_000_000)
            .mapToObj(i -> "\"u" + i + "\"")
            .collect(Collectors.joining(",", "{\"user_ids\":[", "]}"));
    Reply tooMany = post("/admin/backfill", million);
    assertThat(tooMany.status()).isEqualTo(422);
    assertThat(tooMany.json().get("error").asText())
        .contains("more than 1,000,000 distinct user ids");

    // A body over the cap is refused from its Content-Length, before it is read. The request
    // goes over a plain socket with only the start of the body sent: a client still writing 50 MB
    // when the service answers and closes would race with the answer.
    long declared = AdminService.MAX_BODY_BYTES + 1024;
    try (Socket socket = new Socket("127.0.0.1", service.port())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /admin/backfill HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + TOKEN
                  + "\r\nContent-Type: application/json\r\nContent-Length: "
                  + declared
                  + "\r\n\r\n{\"user_ids\": [")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      RawResponse response = RawResponse.read(socket.getInputStream());
      assertThat(response.status()).isEqualTo(413);
      assertThat(JSON.readTree(response.body()).get("error").asText())
          .isEqualTo("request body too large");
    }
    assertThat(get("/admin/backfill").json().get("jobs")).isEmpty();
  }

  @Test
  void backfillsAnS3UserFileValidatedBeforeAccepting() throws Exception {
    s3.createBucket("users");
    s3.putObject(
        "users",
        "beta.csv",
        "email,user_id\na@x,s1\nb@x,s2\nc@x,s1\n".getBytes(StandardCharsets.UTF_8));
    s3.putObject("users", "bad.txt", "s1\ns 2\n".getBytes(StandardCharsets.UTF_8));
    Reply missing = post("/admin/backfill", "{\"s3_uri\":\"s3://users/nope.txt\"}");
    assertThat(missing.status()).as(missing.json().toString()).isEqualTo(422);
    assertThat(missing.json().get("error").asText())
        .as(missing.json().toString())
        .isEqualTo("s3 object does not exist");
    Reply bad = post("/admin/backfill", "{\"s3_uri\":\"s3://users/bad.txt\"}");
    assertThat(bad.status()).isEqualTo(422);
    assertThat(bad.json().get("detail").get("invalid").get(0).get("position").asInt()).isEqualTo(2);
    assertThat(post("/admin/backfill", "{\"s3_uri\":\"https://users/x\"}").status()).isEqualTo(422);
    assertThat(get("/admin/backfill").json().get("jobs")).isEmpty();

    Reply accepted =
        post("/admin/backfill", "{\"s3_uri\":\"s3://users/beta.csv\",\"rate_limit\":100}");
    assertThat(accepted.status()).isEqualTo(202);
    JsonNode done = awaitState(accepted.json().get("job_id").asText(), "done");
    assertThat(done.get("source").asText()).isEqualTo("s3://users/beta.csv");
    assertThat(done.get("duplicates").asInt()).isEqualTo(1);
    assertThat(QueueMessages.userIds(QueueMessages.drain(sqs.client(), bulkQueue)))
        .containsExactlyInAnyOrder("s1", "s2");
  }

  @Test
  void backfillsEveryUserOfTheGraph() throws Exception {
    List<String> users = ids("g", 30);
    try (var session = neo4j.driver().session()) {
      session.run("MATCH (n) DETACH DELETE n").consume();
      session.run("UNWIND $ids AS id CREATE (:User {user_id: id})", Map.of("ids", users)).consume();
      session.run("CREATE (:Product {user_id: 'not-a-user'})").consume();
    }
    Reply accepted = post("/admin/backfill", "{\"source\":\"neo4j\",\"rate_limit\":200}");
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.json().get("total").asInt()).isEqualTo(30);
    awaitState(accepted.json().get("job_id").asText(), "done");
    assertThat(QueueMessages.userIds(QueueMessages.drain(sqs.client(), bulkQueue)))
        .containsExactlyInAnyOrderElementsOf(users);
  }

  @Test
  void enrollsThroughTheEnrollmentQueue() throws Exception {
    Reply one = post("/consumer-graph-worker/enroll", "{\"user_id\":\"e1\"}");
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().get("sent").asInt()).isEqualTo(1);
    Reply many =
        post(
            "/consumer-graph-worker/enroll",
            "{\"user_ids\":[\"e2\",\"e3\",\"e2\"],\"lookback_days\":30}");
    assertThat(many.status()).isEqualTo(200);
    assertThat(many.json().get("sent").asInt()).isEqualTo(2);
    List<Received> received = QueueMessages.drain(sqs.client(), enrollmentQueue);
    assertThat(QueueMessages.userIds(received)).containsExactlyInAnyOrder("e1", "e2", "e3");
    assertThat(received)
        .allSatisfy(r -> assertThat(r.body().get("reason").asText()).isEqualTo("enrollment"));
    assertThat(QueueMessages.drain(sqs.client(), bulkQueue)).isEmpty();
    assertThat(post("/consumer-graph-worker/enroll", "{\"user_id\":\"a b\"}").status())
        .isEqualTo(422);
    assertThat(post("/consumer-graph-worker/enroll", "{\"user_id\":7}").status()).isEqualTo(400);
    assertThat(
            post("/consumer-graph-worker/enroll", "{\"user_id\":\"x\",\"user_ids\":[\"y\"]}")
                .status())
        .isEqualTo(400);
    assertThat(post("/consumer-graph-worker/enroll", "{\"userid\":\"x\"}").status()).isEqualTo(400);
  }

  /** The status and body of one HTTP/1.1 response read off a socket (fixed length or chunked). */
  private record RawResponse(int status, String body) {
    static RawResponse read(InputStream in) throws IOException {
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      long length = -1;
      boolean chunked = false;
      for (String header = line(in); !header.isEmpty(); header = line(in)) {
        String lower = header.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Long.parseLong(lower.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        }
      }
      ByteArrayOutputStream body = new ByteArrayOutputStream();
      if (chunked) {
        for (int size = Integer.parseInt(line(in).trim(), 16);
            size > 0;
            size = Integer.parseInt(line(in).trim(), 16)) {
          body.write(in.readNBytes(size));
          line(in);
        }
      } else {
        body.write(in.readNBytes((int) length));
      }
      return new RawResponse(status, body.toString(StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new IOException("connection closed in the middle of a line: " + line);
        }
        if (c != '\r') {
          line.append((char) c);
        }
      }
      return line.toString();
    }
  }
}
