package io.consumergraph.tools.backfill;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.tools.QueueMessages;
import io.consumergraph.tools.ToolsMain;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** Ctrl-C (a signal) stops a real CLI process; its resume file continues exactly after it. */
class BackfillInterruptIT {

  @TempDir Path dir;

  @Test
  void aSignalledRunWritesAResumeFileAndTheRerunSendsExactlyTheRest() throws Exception {
    try (EmbeddedSqs sqs = EmbeddedSqs.start()) {
      String queueUrl = sqs.createQueue("interrupted", Map.of());
      List<String> ids = IntStream.range(0, 200).mapToObj(i -> "user-" + i).toList();
      Path users = dir.resolve("users.txt");
      Files.write(users, ids);
      Path log = dir.resolve("cli.log");
      Process process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  ToolsMain.class.getName(),
                  "backfill",
                  "--user-file",
                  users.toString(),
                  "--rate-limit",
                  "40",
                  "--endpoint-url",
                  sqs.endpoint().toString(),
                  "--queue-url",
                  queueUrl)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (queued(sqs, queueUrl) < 30 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      process.destroy(); // SIGTERM, like Ctrl-C's SIGINT it runs the shutdown hooks
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
      String output = Files.readString(log);
      assertThat(process.exitValue()).as(output).isNotZero();
      assertThat(output).contains("Interrupted.").contains("Resume with:");
      Path resume = dir.resolve("users.txt.resume");
      List<String> remaining = Files.readAllLines(resume);
      List<String> first = QueueMessages.userIds(QueueMessages.drain(sqs.client(), queueUrl));
      assertThat(first).hasSizeGreaterThanOrEqualTo(30).hasSizeLessThan(200);
      assertThat(remaining.subList(1, remaining.size())).isEqualTo(ids.subList(first.size(), 200));

      StringBuilderWriter out = new StringBuilderWriter();
      int code =
          new picocli.CommandLine(new BackfillCommand(Map.of(), () -> false))
              .setOut(out.writer())
              .setErr(out.writer())
              .execute(
                  "--resume-from",
                  resume.toString(),
                  "--rate-limit",
                  "1000",
                  "--endpoint-url",
                  sqs.endpoint().toString(),
                  "--queue-url",
                  queueUrl);
      assertThat(code).as(out.toString()).isZero();
      List<String> all = new ArrayList<>(first);
      all.addAll(QueueMessages.userIds(QueueMessages.drain(sqs.client(), queueUrl)));
      assertThat(all).hasSize(200).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(ids);
    }
  }

  private static int queued(EmbeddedSqs sqs, String queueUrl) {
    return Integer.parseInt(
        sqs.client()
            .getQueueAttributes(
                b ->
                    b.queueUrl(queueUrl)
                        .attributeNames(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES))
            .attributes()
            .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
  }

  /** Collects what a command prints. */
  static final class StringBuilderWriter {
    private final java.io.StringWriter buffer = new java.io.StringWriter();
    private final java.io.PrintWriter writer = new java.io.PrintWriter(buffer, true);

    java.io.PrintWriter writer() {
      return writer;
    }

    @Override
    public String toString() {
      return buffer.toString();
    }
  }
}
