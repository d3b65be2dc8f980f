package io.consumergraph.job.sqs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.job.testing.MiniClusters;
import io.consumergraph.job.testing.TcpGate;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.operators.poll.Poller;
import io.consumergraph.operators.poll.PollingSource;
import io.consumergraph.sqs.sink.SqsSink;
import io.consumergraph.sqs.sink.SqsSinkBuilder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.ReceiveMessageRequest;

/**
 * {@link SqsSink} with {@link DeadLetterMessages} in MiniCluster jobs against a real SQS-compatible
 * server (ElasticMQ): what arrives in the queue is read back with a plain SQS client.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SqsDeadLetterSinkIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension
  static final MiniClusterExtension FLINK = MiniClusters.reportingTo(REPORTER, 2);

  private static final long FAILED_AT = 1_760_000_000_000L;

  /** Letters the open source of a test emits; static: the job runs in this JVM. */
  static final Queue<DeadLetter> TO_EMIT = new ConcurrentLinkedQueue<>();

  private static EmbeddedSqs sqs;

  @BeforeAll
  static void startSqs() {
    sqs = EmbeddedSqs.start();
  }

  @AfterAll
  static void stopSqs() {
    sqs.close();
  }

  @Test
  void lettersArriveWithTheirPayloadAsBodyAndTheirMetadataAsAttributesInBatchesOfTen()
      throws Exception {
    String queueUrl = sqs.createQueue("dlq-batched", Map.of());
    List<DeadLetter> letters = new ArrayList<>();
    for (int i = 0; i < 24; i++) {
      letters.add(letter(i, json(i)));
    }
    // A payload that is not text SQS accepts travels base64-encoded, exactly.
    byte[] binary = {0x0a, 0x00, 0x01, (byte) 0xff, 0x7f};
    letters.add(
        new DeadLetter("undecodable", "bad proto", "receipts", 3, 42L, binary, FAILED_AT + 99));

    StreamExecutionEnvironment env = environment();
    env.fromData(TypeInformation.of(DeadLetter.class), letters.toArray(DeadLetter[]::new))
        .sinkTo(sink(sqs.endpoint(), queueUrl).maxBufferTime(Duration.ofHours(1)).build())
        .name("dead-letter-sqs");
    JobID job = env.execute("dlq-batched").getJobID();

    Map<String, Message> received = receive(queueUrl, 25);
    assertThat(received).hasSize(25);
    for (int i = 0; i < 24; i++) {
      Message m = received.get(json(i));
      assertThat(m).as("letter %d", i).isNotNull();
      assertThat(attribute(m, "dlq.reason")).isEqualTo("invalid_request");
      assertThat(attribute(m, "dlq.detail")).isEqualTo("user_id: missing (" + i + ")");
      assertThat(attribute(m, "dlq.source")).isEqualTo("requests-queue");
      assertThat(attribute(m, "dlq.failed-at-ms")).isEqualTo(Long.toString(FAILED_AT + i));
      assertThat(m.messageAttributes()).doesNotContainKeys("dlq.partition", "dlq.body-encoding");
    }
    Message binaryMessage = received.get(Base64.getEncoder().encodeToString(binary));
    assertThat(binaryMessage).isNotNull();
    assertThat(attribute(binaryMessage, "dlq.body-encoding")).isEqualTo("base64");
    assertThat(attribute(binaryMessage, "dlq.partition")).isEqualTo("3");
    assertThat(attribute(binaryMessage, "dlq.offset")).isEqualTo("42");

    assertThat(counter(job, "sqsDeadLettersSent")).isEqualTo(25);
    assertThat(counter(job, "sqsDeadLetterBatches"))
        .as("10 + 10 + the last 5 at the end of input")
        .isEqualTo(3);
    assertThat(counter(job, "sqsDeadLetterRetries")).isZero();
  }

  @Test
  void aCheckpointSendsTheLettersItCoversEvenWhenTheirBatchIsNotFull() throws Exception {
    String queueUrl = sqs.createQueue("dlq-checkpoint", Map.of());
    TO_EMIT.clear();
    TO_EMIT.addAll(List.of(letter(1, json(1)), letter(2, json(2)), letter(3, json(3))));

    StreamExecutionEnvironment env = environment();
    env.enableCheckpointing(300);
    // The source never ends and the batch never fills: only the checkpoint's flush can send.
    env.fromSource(
            new PollingSource<>(new QueuedLetters(), Duration.ofMillis(20)),
            WatermarkStrategy.noWatermarks(),
            "letters",
            TypeInformation.of(DeadLetter.class))
        .sinkTo(sink(sqs.endpoint(), queueUrl).maxBufferTime(Duration.ofHours(1)).build())
        .name("dead-letter-sqs");
    JobClient job = env.executeAsync("dlq-checkpoint");
    try {
      Map<String, Message> received = receive(queueUrl, 3);
      assertThat(received).containsOnlyKeys(json(1), json(2), json(3));
      assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
      // The sink counts a batch once SQS answered it, which may be just after the messages show.
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (counter(job.getJobID(), "sqsDeadLettersSent") < 3 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(counter(job.getJobID(), "sqsDeadLettersSent")).isEqualTo(3);
      // One batch, or more when a checkpoint fell between the source's polls: never a full one.
      assertThat(counter(job.getJobID(), "sqsDeadLetterBatches")).isBetween(1L, 3L);
    } finally {
      job.cancel().get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void anSqsThatCannotBeReachedAtFirstIsRetriedUntilTheLettersArrive() throws Exception {
    String queueUrl = sqs.createQueue("dlq-late", Map.of());
    try (TcpGate gate = TcpGate.closedInFrontOf(sqs.endpoint())) {
      StreamExecutionEnvironment env = environment();
      env.fromData(TypeInformation.of(DeadLetter.class), letter(1, json(1)), letter(2, json(2)))
          .sinkTo(
              sink(gate.endpoint(), queueUrl)
                  .retries(40, Duration.ofMillis(100), Duration.ofMillis(300))
                  .build())
          .name("dead-letter-sqs");
      JobClient job = env.executeAsync("dlq-late");

      // The gate drops every connection: SQS cannot be reached, a retryable failure.
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (counter(job.getJobID(), "sqsDeadLetterRetries") < 1 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(counter(job.getJobID(), "sqsDeadLetterRetries")).isGreaterThanOrEqualTo(1);
      assertThat(
              sqs.client()
                  .receiveMessage(
                      ReceiveMessageRequest.builder().queueUrl(queueUrl).waitTimeSeconds(0).build())
                  .messages())
          .as("nothing got through the closed gate")
          .isEmpty();
      gate.open();

      job.getJobExecutionResult().get(60, TimeUnit.SECONDS);
      Map<String, Message> received = receive(queueUrl, 2);
      assertThat(received).containsOnlyKeys(json(1), json(2));
      assertThat(counter(job.getJobID(), "sqsDeadLettersSent")).isEqualTo(2);
    }
  }

  @Test
  void aLetterSqsRejectsFailsTheJobWithAClearMessageInsteadOfBeingDropped() throws Exception {
    String queueUrl = sqs.createQueue("dlq-too-large", Map.of());
    // Over the 1 MiB SQS (and ElasticMQ) message limit.
    String huge = "{\"user_id\":\"" + "x".repeat(1100 * 1024) + "\"}";
    StreamExecutionEnvironment env = environment();
    env.fromData(TypeInformation.of(DeadLetter.class), letter(1, json(1)), letter(2, huge))
        .sinkTo(sink(sqs.endpoint(), queueUrl).build())
        .name("dead-letter-sqs");

    assertThatThrownBy(() -> env.execute("dlq-too-large"))
        .satisfies(
            e ->
                assertThat(ExceptionUtils.findThrowableWithMessage(e, "failing the job"))
                    .hasValueSatisfying(
                        cause ->
                            assertThat(cause.getMessage())
                                .contains(
                                    "dead letter", queueUrl, "invalid_request", "MessageTooLong")));
    // The letter before it went out in its own batch: the size split keeps it apart.
    assertThat(receive(queueUrl, 1)).containsOnlyKeys(json(1));
  }

  // ------------------------------------------------------------------ helpers

  private static StreamExecutionEnvironment environment() {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // a failure must fail the test
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    return env;
  }

  /** The job's request dead-letter sink, against {@code endpoint}. */
  private static SqsSinkBuilder<DeadLetter> sink(URI endpoint, String queueUrl) {
    return SqsSink.<DeadLetter>builder()
        .queueUrl(queueUrl)
        .region(EmbeddedSqs.REGION.id())
        .endpoint(endpoint)
        .staticCredentials(EmbeddedSqs.ACCESS_KEY, EmbeddedSqs.SECRET_KEY)
        .elementConverter(new DeadLetterMessages())
        .messageKind("DeadLetter");
  }

  private static String json(int i) {
    return "{\"event_type\":\"user_load_request\",\"request_id\":\"req-" + i + "\"}";
  }

  private static DeadLetter letter(int i, String payload) {
    return new DeadLetter(
        "invalid_request",
        "user_id: missing (" + i + ")",
        "requests-queue",
        -1,
        -1,
        payload.getBytes(StandardCharsets.UTF_8),
        FAILED_AT + i);
  }

  private static String attribute(Message m, String name) {
    assertThat(m.messageAttributes()).containsKey(name);
    assertThat(m.messageAttributes().get(name).dataType()).isEqualTo("String");
    return m.messageAttributes().get(name).stringValue();
  }

  private static Map<String, Message> receive(String queueUrl, int expected) throws Exception {
    return receive(sqs, queueUrl, expected);
  }

  /** Messages by body, until {@code expected} arrived or 30 s passed. */
  private static Map<String, Message> receive(EmbeddedSqs server, String queueUrl, int expected)
      throws Exception {
    Map<String, Message> out = new HashMap<>();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (out.size() < expected && System.nanoTime() < deadline) {
      for (Message m :
          server
              .client()
              .receiveMessage(
                  ReceiveMessageRequest.builder()
                      .queueUrl(queueUrl)
                      .maxNumberOfMessages(10)
                      .messageAttributeNames("All")
                      .waitTimeSeconds(1)
                      .build())
              .messages()) {
        out.put(m.body(), m);
      }
    }
    return out;
  }

  /** Sums a counter of this job over its subtasks, by metric name. */
  private static long counter(JobID job, String name) {
    long sum = 0;
    for (Map.Entry<String, Metric> e : REPORTER.getMetricsByIdentifiers(job).entrySet()) {
      if (e.getKey().endsWith("." + name) && e.getValue() instanceof Counter c) {
        sum += c.getCount();
      }
    }
    return sum;
  }

  /** Emits what the test queued; never ends. */
  static final class QueuedLetters implements Poller<DeadLetter> {
    private static final long serialVersionUID = 1L;

    @Override
    public List<DeadLetter> poll() {
      List<DeadLetter> out = new ArrayList<>();
      for (DeadLetter d; (d = TO_EMIT.poll()) != null; ) {
        out.add(d);
      }
      return out;
    }
  }
}
