package io.consumergraph.sqs.source.config;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/** Typed settings of the SQS source; defaults are the production values from the seeds. */
public final class SqsSourceOptions {

  private SqsSourceOptions() {}

  public static final ConfigOption<Integer> WAIT_TIME_SECONDS =
      ConfigOptions.key("sqs.source.wait-time-seconds")
          .intType()
          .defaultValue(20)
          .withDescription(
              "Long-poll wait (0-20 s) used when every queue came back empty. Also bounds how long"
                  + " a reader takes to shut down.");

  public static final ConfigOption<Integer> SEVERAL_QUEUES_WAIT_TIME_SECONDS =
      ConfigOptions.key("sqs.source.several-queues-wait-time-seconds")
          .intType()
          .defaultValue(1)
          .withDescription(
              "Long-poll wait (0-20 s) used instead of wait-time-seconds when a reader serves"
                  + " several queues: it long-polls the top queue only this long before asking every"
                  + " queue again, so a message on a lower-priority queue of an idle reader waits at"
                  + " most about this long.");

  public static final ConfigOption<Integer> MAX_MESSAGES_PER_POLL =
      ConfigOptions.key("sqs.source.max-messages-per-poll")
          .intType()
          .defaultValue(10)
          .withDescription("Messages asked for per ReceiveMessage call (1-10).");

  public static final ConfigOption<Duration> VISIBILITY_TIMEOUT =
      ConfigOptions.key("sqs.source.visibility-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(600))
          .withDescription(
              "Visibility timeout requested on receive and renewed for in-flight messages. 600 s"
                  + " is the seeds' queue default (BTS power users take minutes).");

  public static final ConfigOption<Integer> MAX_IN_FLIGHT =
      ConfigOptions.key("sqs.source.max-in-flight")
          .intType()
          .defaultValue(10_000)
          .withDescription(
              "Upper bound of received but not yet deleted messages per reader; polling pauses"
                  + " at the bound until a checkpoint completes and deletes messages, so one reader"
                  + " takes at most this many messages per checkpoint interval (10,000 per 30 s is"
                  + " 333/s; SQS allows 120,000 in flight per queue). Messages not yet handed"
                  + " downstream stay few whatever the bound: the fetcher waits for the reader's"
                  + " element queue, and downstream back-pressure holds that. Queues below"
                  + " the top priority stop max-messages-per-poll (at most half the bound) short"
                  + " of it, so the top queue has room even when a backlog fills the reader.");

  public static final ConfigOption<String> METRIC_GROUP =
      ConfigOptions.key("sqs.source.metric-group")
          .stringType()
          .defaultValue("")
          .withDescription(
              "A group the reader's metrics go under (empty: the operator's own group). Managed"
                  + " Service for Apache Flink forwards user metrics under 'KinesisAnalytics' only.");

  public static final ConfigOption<Boolean> KEEP_MESSAGES =
      ConfigOptions.key("sqs.source.keep-messages")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Never delete: messages are emitted, kept invisible while the reader holds them (at"
                  + " most max-in-flight), and made visible again when the reader closes. For dry"
                  + " runs that must consume nothing.");

  public static final ConfigOption<Duration> RETRY_INITIAL_BACKOFF =
      ConfigOptions.key("sqs.source.retry.initial-backoff")
          .durationType()
          .defaultValue(Duration.ofMillis(100))
          .withDescription("First backoff after a failed SQS call; doubles per failure.");

  public static final ConfigOption<Duration> RETRY_MAX_BACKOFF =
      ConfigOptions.key("sqs.source.retry.max-backoff")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription("Upper bound of the backoff between retried SQS calls.");

  public static final ConfigOption<Integer> DELETE_MAX_ATTEMPTS =
      ConfigOptions.key("sqs.source.delete.max-attempts")
          .intType()
          .defaultValue(5)
          .withDescription(
              "Attempts per DeleteMessageBatch / ChangeMessageVisibilityBatch before the handle is"
                  + " given up (logged and counted; the message is redelivered and de-duplicated"
                  + " downstream).");
}
