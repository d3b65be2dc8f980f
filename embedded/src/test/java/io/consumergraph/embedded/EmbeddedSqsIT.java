package io.consumergraph.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

class EmbeddedSqsIT {

  private static EmbeddedSqs sqs;

  @BeforeAll
  static void startServer() {
    sqs = EmbeddedSqs.start();
  }

  @AfterAll
  static void stopServer() {
    if (sqs != null) {
      sqs.close();
    }
  }

  @Test
  void sentMessageIsReceivedWithItsAttributesAndGoneAfterDelete() {
    String url =
        sqs.createQueue("it-roundtrip", Map.of(QueueAttributeName.VISIBILITY_TIMEOUT, "30"));
    assertThat(url).contains("it-roundtrip");

    sqs.client().sendMessage(b -> b.queueUrl(url).messageBody("{\"user_id\":\"u1\"}"));
    List<Message> received =
        sqs.client()
            .receiveMessage(
                b ->
                    b.queueUrl(url)
                        .waitTimeSeconds(1)
                        .messageSystemAttributeNames(MessageSystemAttributeName.ALL))
            .messages();

    assertThat(received).hasSize(1);
    Message message = received.get(0);
    assertThat(message.body()).isEqualTo("{\"user_id\":\"u1\"}");
    assertThat(message.attributes())
        .containsKeys(
            MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT,
            MessageSystemAttributeName.SENT_TIMESTAMP);

    sqs.client().deleteMessage(b -> b.queueUrl(url).receiptHandle(message.receiptHandle()));
    assertThat(sqs.client().receiveMessage(b -> b.queueUrl(url).waitTimeSeconds(0)).messages())
        .isEmpty();
  }

  @Test
  void queueUrlIsReachableThroughTheEndpoint() {
    String url = sqs.createQueue("it-url", Map.of());
    assertThat(url).startsWith("http://");
    assertThat(sqs.endpoint().getPort()).isPositive();
    assertThat(sqs.client().getQueueUrl(b -> b.queueName("it-url")).queueUrl()).isEqualTo(url);
  }
}
