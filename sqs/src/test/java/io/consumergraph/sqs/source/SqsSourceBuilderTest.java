package io.consumergraph.sqs.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import java.time.Duration;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The builder refuses settings SQS would reject, each with the option's key in the message. */
class SqsSourceBuilderTest {

  private static final String QUEUE = "http://sqs/000000000000/bulk";

  private static SqsSourceBuilder<String> valid() {
    return SqsSource.<String>builder()
        .queue(QUEUE, 0)
        .deserializer(SqsMessageDeserializer.bodyAsString())
        .region("eu-west-1");
  }

  @Test
  void aValidConfigurationBuilds() {
    assertThat(valid().severalQueuesWaitTimeSeconds(0).waitTimeSeconds(20).build()).isNotNull();
  }

  @Test
  void outOfRangeSettingsAreRefusedByKey() {
    assertRefused(
        b -> b.waitTimeSeconds(21),
        "sqs.source.wait-time-seconds must be between 0 and 20, got 21");
    assertRefused(
        b -> b.severalQueuesWaitTimeSeconds(-1),
        "sqs.source.several-queues-wait-time-seconds must be between 0 and 20, got -1");
    assertRefused(
        b -> b.maxMessagesPerPoll(11),
        "sqs.source.max-messages-per-poll must be between 1 and 10, got 11");
    assertRefused(b -> b.maxInFlight(0), "sqs.source.max-in-flight must be between 1");
    assertRefused(
        b -> b.visibilityTimeout(Duration.ofHours(13)),
        "sqs.source.visibility-timeout must be between 1 s and 12 h");
  }

  @Test
  void aQueueIsRequiredAndOnlyOnce() {
    assertThatThrownBy(
            () ->
                SqsSource.<String>builder()
                    .deserializer(SqsMessageDeserializer.bodyAsString())
                    .build())
        .hasMessageContaining("at least one queue");
    assertThatThrownBy(() -> valid().queue(QUEUE, 10).build())
        .hasMessageContaining("queue added twice: " + QUEUE);
  }

  private static void assertRefused(
      UnaryOperator<SqsSourceBuilder<String>> change, String message) {
    assertThatThrownBy(() -> change.apply(valid()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
  }
}
