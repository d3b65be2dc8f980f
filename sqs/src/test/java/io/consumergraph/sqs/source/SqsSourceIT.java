package io.consumergraph.sqs.source;

import static io.consumergraph.sqs.source.testing.ReceiveCountDeserializer.body;
import static io.consumergraph.sqs.source.testing.ReceiveCountDeserializer.receiveCount;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.sqs.source.metrics.SqsSourceMetrics;
import io.consumergraph.sqs.source.testing.ReceiveCountDeserializer;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Metric;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/** The source against a real SQS-compatible server (ElasticMQ) on a MiniCluster. */
class SqsSourceIT {

  private static final InMemoryReporter REPORTER = InMemoryReporter.create();

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .setConfiguration(REPORTER.addToConfiguration(new Configuration()))
              .build());

  /** What each test's job saw, keyed by the test's run id; the MiniCluster shares the JVM. */
  private static final Map<String, Queue<String>> SEEN = new ConcurrentHashMap<>();

  private static final Map<String, AtomicBoolean> FAILED_ONCE = new ConcurrentHashMap<>();

  private static EmbeddedSqs sqs;

  @BeforeAll
  static void startSqs() {
    sqs = EmbeddedSqs.start();
  }

  @AfterAll
  static void stopSqs() {
    if (sqs != null) {
      sqs.close();
    }
  }

  // ------------------------------------------------------------------------------------------

  @Test
  void messagesAreDeletedOnlyAfterACheckpointCompletes(@InjectMiniCluster MiniCluster cluster)
      throws Exception {
    String run = newRun();
    String queue = queue("delete-after-cp");
    send(queue, "m", 20);

    // No periodic checkpoint in the test's lifetime: the test triggers the one it wants. (Flink
    // starts the first periodic checkpoint at a random point within the interval, hence a year.)
    StreamExecutionEnvironment env = env(Duration.ofDays(365), 0);
    env.fromSource(source(queue, 30).build(), WatermarkStrategy.noWatermarks(), "sqs")
        .setParallelism(2)
        .map(new Record(run))
        .sinkTo(new DiscardingSink<>());
    JobClient job = env.executeAsync("delete-after-checkpoint");
    try {
      await(Duration.ofSeconds(30), () -> seen(run).size() >= 20, "20 messages emitted");
      Thread.sleep(1_000); // give a (wrong) eager delete time to happen
      assertThat(notVisible(queue)).as("emitted but not deleted").isEqualTo(20);
      assertThat(visible(queue)).isZero();

      cluster.triggerCheckpoint(job.getJobID()).get(30, TimeUnit.SECONDS);
      await(Duration.ofSeconds(15), () -> notVisible(queue) == 0, "deleted after the checkpoint");
      assertThat(visible(queue)).isZero();
      await(
          Duration.ofSeconds(5),
          () -> sum(job.getJobID(), SqsSourceMetrics.MESSAGES_DELETED) == 20,
          "deleted counter");
      assertThat(seen(run)).hasSize(20);
    } finally {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void afterAFailureUndeletedMessagesAreRedeliveredAndCounted() throws Exception {
    String run = newRun();
    String queue = queue("failover");
    FAILED_ONCE.put(run, new AtomicBoolean());
    send(queue, "m", 30);
    sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody("boom"));

    StreamExecutionEnvironment env = env(Duration.ofMillis(300), 3);
    // The failing map runs in its own tasks (parallelism 4 vs 2): "boom" may already be covered
    // by a checkpoint that can never complete, so it comes back after the visibility timeout.
    env.fromSource(source(queue, 5).build(), WatermarkStrategy.noWatermarks(), "sqs")
        .setParallelism(2)
        .map(new FailOnceOn(run, "boom"))
        .setParallelism(4)
        .map(new Record(run))
        .sinkTo(new DiscardingSink<>());
    JobClient job = env.executeAsync("failover");
    try {
      await(
          Duration.ofSeconds(60),
          () -> seen(run).stream().map(r -> body(r)).distinct().count() == 31,
          "all 31 messages through the sink after the restart");
      await(Duration.ofSeconds(30), () -> visible(queue) + notVisible(queue) == 0, "queue drained");

      assertThat(FAILED_ONCE.get(run).get()).isTrue();
      // "boom" failed before reaching the sink, so its only delivery that got through is a
      // redelivery.
      assertThat(seen(run))
          .filteredOn(r -> body(r).equals("boom"))
          .allSatisfy(r -> assertThat(receiveCount(r)).isGreaterThan(1));
      long redeliveredSeen = seen(run).stream().filter(r -> receiveCount(r) > 1).count();
      assertThat(redeliveredSeen).isPositive();
      await(
          Duration.ofSeconds(10),
          () -> sum(job.getJobID(), SqsSourceMetrics.MESSAGES_REDELIVERED) >= 1,
          "redelivery counted");
    } finally {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void visibilityExtensionKeepsASlowMessageInvisible() throws Exception {
    String run = newRun();
    String queue = queue("slow");
    sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody("slow"));

    StreamExecutionEnvironment env = env(Duration.ofMillis(500), 0);
    env.fromSource(
            source(queue, 30).visibilityTimeout(Duration.ofSeconds(4)).build(),
            WatermarkStrategy.noWatermarks(),
            "sqs")
        .setParallelism(1)
        .map(new SlowOn(run, "slow", 13_000))
        .map(new Record(run))
        .sinkTo(new DiscardingSink<>());
    JobClient job = env.executeAsync("visibility-extension");
    try {
      await(Duration.ofSeconds(30), () -> SLOW_STARTED.containsKey(run), "slow message taken");
      // A competing consumer polls for the whole processing time: it must never see the message,
      // although the 4 s visibility timeout runs out three times over.
      List<String> stolen = new ArrayList<>();
      long until = System.currentTimeMillis() + 12_000;
      while (System.currentTimeMillis() < until) {
        sqs.client()
            .receiveMessage(b -> b.queueUrl(queue).waitTimeSeconds(1).visibilityTimeout(0))
            .messages()
            .forEach(m -> stolen.add(m.body()));
      }
      assertThat(stolen).isEmpty();
      await(Duration.ofSeconds(30), () -> seen(run).size() == 1, "slow message done");
      await(Duration.ofSeconds(15), () -> visible(queue) + notVisible(queue) == 0, "deleted");
      assertThat(sum(job.getJobID(), SqsSourceMetrics.VISIBILITY_EXTENDED))
          .isGreaterThanOrEqualTo(3);
      assertThat(seen(run)).containsExactly("slow#1");
    } finally {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void anEnrollmentOvertakesTheBulkBacklog() throws Exception {
    String run = newRun();
    String bulk = queue("bulk");
    String enrollment = queue("enrollment");
    send(bulk, "bulk", 300);

    StreamExecutionEnvironment env = env(Duration.ofMillis(200), 0);
    env.fromSource(
            source(bulk, 30)
                .queue(enrollment, SqsSourceBuilder.PRIORITY_HIGH)
                .maxInFlight(20)
                .build(),
            WatermarkStrategy.noWatermarks(),
            "sqs")
        .setParallelism(1)
        .map(new SlowOn(run, "bulk", 10)) // 300 bulk messages take at least 3 s
        .map(new Record(run))
        .sinkTo(new DiscardingSink<>());
    JobClient job = env.executeAsync("priority");
    try {
      await(Duration.ofSeconds(30), () -> seen(run).size() >= 30, "bulk backlog being drained");
      sqs.client().sendMessage(b -> b.queueUrl(enrollment).messageBody("enroll-u1"));
      int bulkBefore = seen(run).size();
      await(
          Duration.ofSeconds(30),
          () -> seen(run).stream().anyMatch(r -> body(r).equals("enroll-u1")),
          "enrollment emitted");

      List<String> order = seen(run).stream().map(r -> body(r)).toList();
      int position = order.indexOf("enroll-u1");
      assertThat(position - bulkBefore)
          .as("bulk messages between sending the enrollment and emitting it")
          .isLessThanOrEqualTo(40); // what was already in flight, bounded by maxInFlight
      assertThat(position).isLessThan(300 - 100);
      assertThat(visible(bulk)).as("bulk backlog still waiting").isPositive();
    } finally {
      job.cancel().get(60, TimeUnit.SECONDS);
    }
  }

  // ------------------------------------------------------------------------------------------

  private static SqsSourceBuilder<String> source(String queue, int visibilitySeconds) {
    URI endpoint = sqs.endpoint();
    return SqsSource.<String>builder()
        .queue(queue, SqsSourceBuilder.PRIORITY_LOW)
        .deserializer(new ReceiveCountDeserializer())
        .clientFactory(() -> EmbeddedSqs.newClient(endpoint))
        .waitTimeSeconds(1)
        .visibilityTimeout(Duration.ofSeconds(visibilitySeconds));
  }

  private static StreamExecutionEnvironment env(Duration checkpointInterval, int restarts) {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    Configuration conf = new Configuration();
    if (restarts > 0) {
      conf.setString("restart-strategy.type", "fixed-delay");
      conf.setString("restart-strategy.fixed-delay.attempts", Integer.toString(restarts));
      conf.setString("restart-strategy.fixed-delay.delay", "100 ms");
    } else {
      conf.setString("restart-strategy.type", "none");
    }
    env.configure(conf);
    env.enableCheckpointing(checkpointInterval.toMillis());
    if (checkpointInterval.compareTo(Duration.ofDays(1)) >= 0) {
      // "Only the checkpoints the test triggers": on 2.x a trigger that finds the tasks not yet
      // running is retried as soon as they are, but never within the minimum pause, which
      // manual triggers do not wait for.
      env.getCheckpointConfig().setMinPauseBetweenCheckpoints(checkpointInterval.toMillis() / 2);
    }
    return env;
  }

  private static String newRun() {
    String run = UUID.randomUUID().toString();
    SEEN.put(run, new ConcurrentLinkedQueue<>());
    return run;
  }

  private static Queue<String> seen(String run) {
    return SEEN.get(run);
  }

  private static String queue(String prefix) {
    return sqs.createQueue(prefix + "-" + UUID.randomUUID().toString().substring(0, 8), Map.of());
  }

  private static void send(String queue, String prefix, int count) {
    for (int i = 0; i < count; i++) {
      String body = prefix + "-" + i;
      sqs.client().sendMessage(b -> b.queueUrl(queue).messageBody(body));
    }
  }

  private static int attribute(String queue, QueueAttributeName name) {
    return Integer.parseInt(
        sqs.client()
            .getQueueAttributes(b -> b.queueUrl(queue).attributeNames(name))
            .attributes()
            .get(name));
  }

  private static int visible(String queue) {
    return attribute(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
  }

  private static int notVisible(String queue) {
    return attribute(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE);
  }

  private static long sum(JobID job, String metric) {
    long total = 0;
    for (Metric m : REPORTER.findMetrics(job, metric).values()) {
      total += ((Counter) m).getCount();
    }
    return total;
  }

  private static void await(Duration timeout, BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      Thread.sleep(50);
    }
  }

  private static final Map<String, Boolean> SLOW_STARTED = new ConcurrentHashMap<>();

  /** Records what reached the end of the pipeline. */
  private record Record(String run) implements MapFunction<String, String> {
    @Override
    public String map(String value) {
      SEEN.get(run).add(value);
      return value;
    }
  }

  /** Throws on the first delivery of one body, as a crashing operator would. */
  private record FailOnceOn(String run, String target) implements MapFunction<String, String> {
    @Override
    public String map(String value) {
      if (body(value).equals(target) && FAILED_ONCE.get(run).compareAndSet(false, true)) {
        throw new IllegalStateException("injected failure on " + target);
      }
      return value;
    }
  }

  /** Takes {@code millis} for each message whose body starts with the prefix. */
  private record SlowOn(String run, String prefix, long millis)
      implements MapFunction<String, String> {
    @Override
    public String map(String value) throws InterruptedException {
      if (body(value).startsWith(prefix)) {
        SLOW_STARTED.put(run, true);
        Thread.sleep(millis);
      }
      return value;
    }
  }
}
