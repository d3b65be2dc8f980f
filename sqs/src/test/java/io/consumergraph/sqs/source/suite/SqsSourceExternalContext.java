package io.consumergraph.sqs.source.suite;

import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.sqs.source.SqsSource;
import io.consumergraph.sqs.source.SqsSourceBuilder;
import io.consumergraph.sqs.source.serialization.SqsMessageDeserializer;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.testframe.external.ExternalSystemSplitDataWriter;
import org.apache.flink.connector.testframe.external.source.DataStreamSourceExternalContext;
import org.apache.flink.connector.testframe.external.source.TestingSourceSettings;
import software.amazon.awssdk.services.sqs.model.SendMessageBatchRequestEntry;

/**
 * One test case's view of SQS for Flink's connector test suite: an SQS "split" of the suite is a
 * queue.
 *
 * <p>Some cases build the source before they ask for a split writer, so the queues are created up
 * front (as many as any case uses) and the source reads all of them; writers hand them out in
 * order.
 */
final class SqsSourceExternalContext implements DataStreamSourceExternalContext<String> {

  private static final int QUEUES = 4;

  private final EmbeddedSqs sqs;
  private final List<String> queueUrls = new ArrayList<>();
  private final AtomicInteger nextWriter = new AtomicInteger();

  SqsSourceExternalContext(EmbeddedSqs sqs, String testName) {
    this.sqs = sqs;
    String prefix = testName.replaceAll("[^A-Za-z0-9]", "").toLowerCase();
    prefix = prefix.substring(0, Math.min(prefix.length(), 30));
    String run = UUID.randomUUID().toString().substring(0, 8);
    for (int i = 0; i < QUEUES; i++) {
      queueUrls.add(sqs.createQueue(prefix + "-" + run + "-" + i, Map.of()));
    }
  }

  @Override
  public Source<String, ?, ?> createSource(TestingSourceSettings settings) {
    if (settings.getBoundedness() == Boundedness.BOUNDED) {
      throw new UnsupportedOperationException("an SQS queue has no end: the source is unbounded");
    }
    URI endpoint = sqs.endpoint();
    SqsSourceBuilder<String> builder =
        SqsSource.<String>builder()
            .deserializer(SqsMessageDeserializer.bodyAsString())
            .clientFactory(() -> EmbeddedSqs.newClient(endpoint))
            .waitTimeSeconds(1)
            .visibilityTimeout(Duration.ofSeconds(30));
    for (String url : queueUrls) {
      builder.queue(url, SqsSourceBuilder.PRIORITY_LOW);
    }
    return builder.build();
  }

  @Override
  public ExternalSystemSplitDataWriter<String> createSourceSplitDataWriter(
      TestingSourceSettings settings) {
    int index = nextWriter.getAndIncrement();
    if (index >= QUEUES) {
      throw new IllegalStateException("the context has only " + QUEUES + " queues");
    }
    String queueUrl = queueUrls.get(index);
    return new ExternalSystemSplitDataWriter<>() {
      @Override
      public void writeRecords(List<String> records) {
        for (int i = 0; i < records.size(); i += 10) {
          List<SendMessageBatchRequestEntry> entries = new ArrayList<>();
          for (int j = i; j < Math.min(records.size(), i + 10); j++) {
            entries.add(
                SendMessageBatchRequestEntry.builder()
                    .id(Integer.toString(j))
                    .messageBody(records.get(j))
                    .build());
          }
          var response = sqs.client().sendMessageBatch(b -> b.queueUrl(queueUrl).entries(entries));
          if (!response.failed().isEmpty()) {
            throw new IllegalStateException("send failed: " + response.failed());
          }
        }
      }

      @Override
      public void close() {}
    };
  }

  @Override
  public List<String> generateTestData(TestingSourceSettings settings, int splitIndex, long seed) {
    Random random = new Random(seed);
    int count = 50 + random.nextInt(50);
    List<String> records = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      // Unique per record: the unordered at-least-once check matches records by equality.
      records.add("split-" + splitIndex + "-" + i + "-" + Long.toHexString(random.nextLong()));
    }
    return records;
  }

  @Override
  public TypeInformation<String> getProducedType() {
    return Types.STRING;
  }

  @Override
  public List<URL> getConnectorJarPaths() {
    return List.of(); // the MiniCluster runs on the test class path
  }

  @Override
  public void close() {
    for (String url : queueUrls) {
      try {
        sqs.client().deleteQueue(b -> b.queueUrl(url));
      } catch (RuntimeException e) {
        // The server may already be gone at the end of the run.
      }
    }
  }
}
