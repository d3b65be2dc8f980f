package io.consumergraph.job.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.job.ConsumerGraphJob;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobConfigTest {

  @Test
  void argumentsOverrideEnvironmentWhichOverridesDefaults() {
    JobConfig config =
        JobConfig.load(
            new String[] {"--neo4j.batch-rows", "500", "--dedup.ttl=2 h"},
            Map.of(
                "CONSUMER_GRAPH_NEO4J_BATCH_ROWS", "900",
                "CONSUMER_GRAPH_KAFKA_GROUP_ID", "from-env",
                "NEO4J_PASSWORD", "s3cret"));

    assertThat(config.get(JobOptions.NEO4J_BATCH_ROWS)).isEqualTo(500);
    assertThat(config.get(JobOptions.GROUP_ID)).isEqualTo("from-env");
    assertThat(config.get(JobOptions.DEDUP_TTL)).isEqualTo(Duration.ofHours(2));
    assertThat(config.get(JobOptions.RECEIPTS_TOPIC))
        .isEqualTo("pipeline-v1-processed-receipt-events");
    assertThat(config.configuration().toMap()).doesNotContainValue("s3cret");
  }

  @Test
  void environmentVariablesReachKeysThatContainDashes() {
    JobConfig config =
        JobConfig.load(
            new String[0], Map.of("CONSUMER_GRAPH_KAFKA_BOOTSTRAP_SERVERS", "broker:9092"));

    assertThat(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("broker:9092");
  }

  @Test
  void messagesPerPollOutsideWhatSqsAllowsNameTheSetting() {
    for (String value : new String[] {"0", "11"}) {
      JobConfig config =
          JobConfig.load(
              new String[] {
                "--sqs.queue-url", "http://sqs/bulk",
                "--sqs.dead-letter-queue-url", "http://sqs/dlq",
                "--sqs.max-messages-per-poll", value
              },
              Map.of());

      assertThatThrownBy(() -> ConsumerGraphJob.backfillPath(config, false))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "sqs.max-messages-per-poll must be between 1 and 10 (what one SQS ReceiveMessage"
                  + " call returns), got "
                  + value);
    }
  }

  @Test
  void aMissingRequiredSettingNamesTheFlagAndTheVariable() {
    JobConfig config = JobConfig.load(new String[0], Map.of());

    assertThatThrownBy(() -> config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--kafka.bootstrap-servers")
        .hasMessageContaining("CONSUMER_GRAPH_KAFKA_BOOTSTRAP_SERVERS");
  }

  @Test
  void managedFlinkRuntimePropertiesAreReadBelowEnvironmentAndArguments(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("application_properties.json");
    Files.writeString(
        file,
        "[{\"PropertyGroupId\": \"Other\", \"PropertyMap\": {\"kafka.group-id\": \"no\"}},"
            + " {\"PropertyGroupId\": \"ConsumerGraph\", \"PropertyMap\": {"
            + "\"kafka.bootstrap-servers\": \"msk:9098\", \"kafka.group-id\": \"managed\","
            + " \"neo4j.batch-rows\": \"700\"}}]");

    JobConfig config =
        JobConfig.load(
            new String[] {"--neo4j.batch-rows", "900"},
            Map.of("CONSUMER_GRAPH_KAFKA_GROUP_ID", "from-env"),
            file);

    assertThat(config.get(JobOptions.KAFKA_BOOTSTRAP_SERVERS)).isEqualTo("msk:9098");
    assertThat(config.get(JobOptions.GROUP_ID)).isEqualTo("from-env");
    assertThat(config.get(JobOptions.NEO4J_BATCH_ROWS)).isEqualTo(900);
    assertThat(JobConfig.managedFlinkGroup(dir.resolve("absent.json"))).isEmpty();
  }

  @Test
  void unreadableRuntimePropertiesOrAPasswordInThemAreRejected(@TempDir Path dir) throws Exception {
    Path broken = dir.resolve("broken.json");
    Files.writeString(broken, "[{not json");
    Path withPassword = dir.resolve("password.json");
    Files.writeString(
        withPassword,
        "[{\"PropertyGroupId\": \"ConsumerGraph\", \"PropertyMap\": {\"neo4j.password\": \"x\"}}]");

    assertThatThrownBy(() -> JobConfig.managedFlinkGroup(broken))
        .hasMessageContaining("cannot read runtime properties");
    assertThatThrownBy(() -> JobConfig.managedFlinkGroup(withPassword))
        .hasMessageContaining("never from runtime properties");
  }

  @Test
  void thePasswordIsNeverTakenFromArguments() {
    assertThatThrownBy(() -> JobConfig.load(new String[] {"--neo4j.password", "x"}, Map.of()))
        .hasMessageContaining("NEO4J_PASSWORD");
  }

  @Test
  void malformedArgumentsAreRejectedPrecisely() {
    assertThatThrownBy(() -> JobConfig.load(new String[] {"kafka.group-id"}, Map.of()))
        .hasMessageContaining("expected --key value");
    assertThatThrownBy(() -> JobConfig.load(new String[] {"--kafka.group-id"}, Map.of()))
        .hasMessageContaining("missing value for --kafka.group-id");
    JobConfig badNumber = JobConfig.load(new String[] {"--neo4j.batch-rows", "many"}, Map.of());
    assertThatThrownBy(() -> badNumber.get(JobOptions.NEO4J_BATCH_ROWS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void sqsWaitsAreRoundedUpToWholeSecondsSoASubSecondWaitStillLongPolls() {
    assertThat(ConsumerGraphJob.wholeSeconds(Duration.ofMillis(500))).isEqualTo(1);
    assertThat(ConsumerGraphJob.wholeSeconds(Duration.ofSeconds(20))).isEqualTo(20);
    assertThat(ConsumerGraphJob.wholeSeconds(Duration.ZERO)).isZero();
  }
}
