package io.consumergraph.tools.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.tools.FailingSqsProxy;
import io.consumergraph.tools.QueueMessages;
import io.consumergraph.tools.QueueMessages.Received;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The backfill CLI against real files and a real SQS-compatible server (ElasticMQ). */
class BackfillCliIT {

  private static EmbeddedSqs sqs;
  private static final AtomicInteger QUEUES = new AtomicInteger();

  @TempDir Path dir;
  private String queueUrl;

  @BeforeAll
  static void startSqs() {
    sqs = EmbeddedSqs.start();
  }

  @AfterAll
  static void stopSqs() {
    sqs.close();
  }

  @BeforeEach
  void newQueue() {
    queueUrl = sqs.createQueue("backfill-" + QUEUES.incrementAndGet(), Map.of());
  }

  /** One CLI run: its exit code and what it printed. */
  record Run(int exitCode, String out, String err) {}

  private Run run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        new CommandLine(new BackfillCommand(env, () -> false))
            .setOut(new PrintWriter(out, true))
            .setErr(new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Run run(String... args) {
    return run(Map.of(), args);
  }

  private String[] local(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--endpoint-url", sqs.endpoint().toString(), "--queue-url", queueUrl));
    return all.toArray(String[]::new);
  }

  private Path file(String name, String content) throws Exception {
    Path file = dir.resolve(name);
    Files.writeString(file, content, StandardCharsets.UTF_8);
    return file;
  }

  private static List<String> ids(int n) {
    return IntStream.range(0, n).mapToObj(i -> "user-" + i).toList();
  }

  private Path userFile(List<String> ids) throws Exception {
    return file("users.txt", String.join("\n", ids) + "\n");
  }

  @Test
  void sendsEachUserOfACsvOnceInTheJobsShape() throws Exception {
    Path csv = file("users.csv", "email,user_id\na@x,u1\nb@x,u2\n\nc@x,u1\nd@x,u3\ne@x,u2\n");
    Run run =
        run(
            local(
                "--user-file",
                csv.toString(),
                "--rate-limit",
                "1000",
                "--lookback-days",
                "30",
                "--priority",
                "high",
                "--force"));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains(
            "Read 3 user ids from user file " + csv + " (2 duplicates skipped, 1 empty lines)")
        .contains("Summary: sent 3, skipped duplicates 2, failed 0, remaining 0");
    List<Received> received = QueueMessages.drain(sqs.client(), queueUrl);
    assertThat(QueueMessages.userIds(received)).containsExactlyInAnyOrder("u1", "u2", "u3");
    for (Received r : received) {
      assertThat(r.body().get("reason").asText()).isEqualTo("batch_backfill");
      assertThat(r.body().get("lookback_days").asInt()).isEqualTo(30);
      assertThat(r.body().get("priority").asText()).isEqualTo("high");
      assertThat(r.body().get("force").asBoolean()).isTrue();
    }
    assertThat(received.stream().map(r -> r.body().get("request_id").asText()))
        .doesNotHaveDuplicates();
  }

  @Test
  void honoursTheRateWithinFivePercent() throws Exception {
    Path users = userFile(ids(200));
    long started = System.nanoTime();
    Run run = run(local("--user-file", users.toString(), "--rate-limit", "50"));
    double wallSeconds = (System.nanoTime() - started) / 1e9;
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<Received> received = QueueMessages.drain(sqs.client(), queueUrl);
    assertThat(received).hasSize(200);
    long first = received.stream().mapToLong(Received::sentAtMs).min().orElseThrow();
    long last = received.stream().mapToLong(Received::sentAtMs).max().orElseThrow();
    // Batches of 10: the first goes at 0.2 s, the last at 4.0 s; 190 messages in between.
    double queueRate = 190 / ((last - first) / 1000.0);
    System.out.printf(
        "rate: %.2f msg/s between first and last batch, wall %.2f s%n", queueRate, wallSeconds);
    assertThat(queueRate).isBetween(47.5, 52.5);
    assertThat(wallSeconds).isBetween(3.8, 5.5);
    String summaryRate = run.out().replaceAll("(?s).*Summary: .*rate ([0-9.]+)/s.*", "$1");
    assertThat(Double.parseDouble(summaryRate)).isBetween(47.5, 52.5);
  }

  @Test
  void logsProgressEveryThousandUsers() throws Exception {
    Path users = userFile(ids(2500));
    Run run = run(local("--user-file", users.toString(), "--rate-limit", "10000"));
    assertThat(run.exitCode()).as(run.err()).isZero();
    List<String> progress =
        run.out().lines().filter(l -> l.startsWith("Sent ")).collect(Collectors.toList());
    assertThat(progress).hasSize(3);
    assertThat(progress.get(0))
        .matches("Sent 1000/2500 \\(40\\.0%\\), elapsed: \\d+s, rate: [0-9.]+/s");
    assertThat(progress.get(1)).startsWith("Sent 2000/2500 (80.0%), elapsed: ");
    assertThat(progress.get(2)).startsWith("Sent 2500/2500 (100.0%), elapsed: ");
    assertThat(QueueMessages.drain(sqs.client(), queueUrl)).hasSize(2500);
  }

  @Test
  void aRunThatFailsMidwayWritesAResumeFileAndTheRerunSendsExactlyTheRest() throws Exception {
    List<String> all = ids(100);
    Path users = userFile(all);
    Run failed;
    try (FailingSqsProxy proxy = new FailingSqsProxy(sqs.endpoint(), 4)) {
      failed =
          run(
              "--user-file",
              users.toString(),
              "--rate-limit",
              "500",
              "--max-attempts",
              "2",
              "--endpoint-url",
              proxy.endpoint().toString(),
              "--queue-url",
              queueUrl);
    }
    assertThat(failed.exitCode()).isEqualTo(1);
    Path resume = dir.resolve("users.txt.resume");
    assertThat(failed.err())
        .contains("error: SendMessageBatch failed (HTTP 503")
        .contains("Wrote 60 remaining user ids to " + resume)
        .contains("Resume with:")
        .contains("--resume-from " + resume);
    assertThat(failed.out())
        .contains("Summary: sent 40, skipped duplicates 0, failed 0, remaining 60");
    List<String> resumeLines = Files.readAllLines(resume);
    assertThat(resumeLines.get(0))
        .startsWith("# consumer-graph backfill resume file: 40 of 100 sent");
    assertThat(resumeLines.subList(1, resumeLines.size())).isEqualTo(all.subList(40, 100));

    // the command printed, against the same queue without the failing proxy
    String printed =
        failed.err().lines().filter(l -> l.contains("--resume-from")).findFirst().orElseThrow();
    List<String> args = new ArrayList<>(List.of(printed.trim().split(" ")));
    args.remove(0); // ./bin/backfill
    int endpoint = args.indexOf("--endpoint-url");
    args.set(endpoint + 1, sqs.endpoint().toString());
    Run resumed = run(args.toArray(String[]::new));
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.out()).contains("Summary: sent 60,").contains("removed resume file");
    assertThat(resume).doesNotExist();

    List<String> received = QueueMessages.userIds(QueueMessages.drain(sqs.client(), queueUrl));
    assertThat(received)
        .hasSize(100)
        .doesNotHaveDuplicates()
        .containsExactlyInAnyOrderElementsOf(all);
  }

  @Test
  void aMissingQueueFailsAtOnceAndKeepsEveryIdForTheResume() throws Exception {
    Path users = userFile(ids(30));
    sqs.client().deleteQueue(b -> b.queueUrl(queueUrl));
    Run run = run(local("--user-file", users.toString(), "--rate-limit", "1000"));
    assertThat(run.exitCode()).isEqualTo(1);
    assertThat(run.err()).contains("does not exist").contains("Wrote 30 remaining user ids");
    assertThat(Files.readAllLines(dir.resolve("users.txt.resume"))).hasSize(31);
  }

  @Test
  void resumesFromALineNumberOrAUserId() throws Exception {
    Path users = file("users.txt", "a\n\nb\nc\nd\n7\n");
    assertThat(
            run(local(
                    "--user-file", users.toString(), "--resume-from", "4", "--rate-limit", "1000"))
                .exitCode())
        .isZero();
    assertThat(QueueMessages.userIds(QueueMessages.drain(sqs.client(), queueUrl)))
        .containsExactlyInAnyOrder("c", "d", "7");
    assertThat(
            run(local(
                    "--user-file", users.toString(), "--resume-from", "d", "--rate-limit", "1000"))
                .exitCode())
        .isZero();
    assertThat(QueueMessages.userIds(QueueMessages.drain(sqs.client(), queueUrl)))
        .containsExactlyInAnyOrder("d", "7");
    assertThat(
            run(local(
                    "--user-file",
                    users.toString(),
                    "--resume-from",
                    "id:7",
                    "--rate-limit",
                    "1000"))
                .exitCode())
        .isZero();
    assertThat(QueueMessages.userIds(QueueMessages.drain(sqs.client(), queueUrl)))
        .containsExactly("7");

    Run ambiguous = run(local("--user-file", users.toString(), "--resume-from", "7"));
    assertThat(ambiguous.exitCode()).isEqualTo(2);
    assertThat(ambiguous.err())
        .contains("is both a line number and a user id: write line:7 or id:7");
    Run unknown = run(local("--user-file", users.toString(), "--resume-from", "zz"));
    assertThat(unknown.exitCode()).isEqualTo(2);
    assertThat(unknown.err()).contains("user id 'zz' is not in the file");
    Run past = run(local("--user-file", users.toString(), "--resume-from", "line:99"));
    assertThat(past.err()).contains("line 99 is after the last user id");
    assertThat(QueueMessages.drain(sqs.client(), queueUrl)).isEmpty();
  }

  @Test
  void rejectsBadInputWithExitCode2AndSendsNothing() throws Exception {
    Path good = userFile(ids(3));
    Path malformed = file("bad.txt", "u1\nu 2\nu3\n..\n\nu\u0007x\n");
    Map<String, List<String>> cases = new HashMap<>();
    cases.put("does not exist", List.of("--user-file", dir.resolve("missing.txt").toString()));
    cases.put("has 3 malformed user ids", List.of("--user-file", malformed.toString()));
    cases.put(
        "--rate-limit must be more than 0",
        List.of("--user-file", good.toString(), "--rate-limit", "0"));
    cases.put(
        "Invalid value for option '--rate-limit'",
        List.of("--user-file", good.toString(), "--rate-limit", "fast"));
    cases.put(
        "--lookback-days must be within 1..730, got 0",
        List.of("--user-file", good.toString(), "--lookback-days", "0"));
    cases.put(
        "--lookback-days must be within 1..730, got 731",
        List.of("--user-file", good.toString(), "--lookback-days", "731"));
    cases.put(
        "--priority must be low, normal or high, got 'urgent'",
        List.of("--user-file", good.toString(), "--priority", "urgent"));
    cases.put("Unknown option: '--bogus'", List.of("--user-file", good.toString(), "--bogus"));
    cases.put("--user-file is required", List.of("--rate-limit", "5"));
    for (var c : cases.entrySet()) {
      Run run = run(local(c.getValue().toArray(String[]::new)));
      assertThat(run.exitCode()).as(c.getKey() + ": " + run.err()).isEqualTo(2);
      assertThat(run.err()).as(c.getKey()).contains(c.getKey());
    }
    Run bad = run(local("--user-file", malformed.toString()));
    assertThat(bad.err())
        .contains("line 2: whitespace at position 2 ('u 2')")
        .contains("line 4: '..' is not a user id")
        .contains("line 6: control character U+0007 at position 2");
    Run noQueue = run("--user-file", good.toString());
    assertThat(noQueue.exitCode()).isEqualTo(2);
    assertThat(noQueue.err())
        .contains("no queue URL: pass --queue-url or set CONSUMER_GRAPH_QUEUE_URL");
    assertThat(QueueMessages.drain(sqs.client(), queueUrl)).isEmpty();
  }

  @Test
  void rejectsMoreThanAMillionIds() throws Exception {
    Path big = dir.resolve("big.txt");
    StringBuilder content = new StringBuilder(12_000_000);
    for (int i = 0; i <= UserIdCollector.MAX_USER_IDS; i++) {
      content.append('u').append(i).append('\n');
    }
    Files.writeString(big, content);
    Run run = run(local("--user-file", big.toString(), "--dry-run"));
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("has more than 1,000,000 distinct user ids (the cap)");
  }

  @Test
  void aDryRunValidatesAndReportsButSendsNothing() throws Exception {
    Path users = file("users.txt", "u1\nu2\nu1\n");
    Run run = run(local("--user-file", users.toString(), "--dry-run", "--rate-limit", "1"));
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("Read 2 user ids")
        .contains(
            "Dry run: would send 2 messages to "
                + queueUrl
                + " at 1/s in batches of 1, taking about 2s")
        .contains("First message: {\"event_type\":\"user_load_request\",\"user_id\":\"u1\"")
        .contains("Dry run: nothing was sent.");
    assertThat(QueueMessages.drain(sqs.client(), queueUrl)).isEmpty();
    Run invalid = run(local("--user-file", file("x.txt", "a b\n").toString(), "--dry-run"));
    assertThat(invalid.exitCode()).isEqualTo(2);
  }

  @Test
  void takesTheQueueUrlFromTheEnvironment() throws Exception {
    Path users = userFile(ids(5));
    Run run =
        run(
            Map.of(BackfillCommand.QUEUE_URL_ENV, queueUrl),
            "--user-file",
            users.toString(),
            "--endpoint-url",
            sqs.endpoint().toString(),
            "--rate-limit",
            "100");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(QueueMessages.drain(sqs.client(), queueUrl)).hasSize(5);
  }
}
