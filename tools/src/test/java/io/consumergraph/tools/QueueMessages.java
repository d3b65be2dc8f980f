package io.consumergraph.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.operators.backfill.UserLoadRequestParser;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

/** Reads what a test queue holds; every body must be accepted by the job's own parser. */
public final class QueueMessages {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A received message: its body as JSON and when SQS accepted it. */
  public record Received(JsonNode body, long sentAtMs) {
    public String userId() {
      return body.get("user_id").asText();
    }
  }

  private QueueMessages() {}

  /** Receives every visible message of the queue (they stay invisible for the queue's timeout). */
  public static List<Received> drain(SqsClient sqs, String queueUrl) throws Exception {
    List<Received> all = new ArrayList<>();
    int empty = 0;
    while (empty < 2) {
      List<Message> batch =
          sqs.receiveMessage(
                  b ->
                      b.queueUrl(queueUrl)
                          .maxNumberOfMessages(10)
                          .waitTimeSeconds(0)
                          .visibilityTimeout(600)
                          .messageSystemAttributeNames(MessageSystemAttributeName.SENT_TIMESTAMP))
              .messages();
      if (batch.isEmpty()) {
        empty++;
        continue;
      }
      empty = 0;
      for (Message m : batch) {
        UserLoadRequestParser.Parsed parsed = UserLoadRequestParser.parse(m.body(), "test");
        assertThat(parsed.errors()).as("parser errors for %s", m.body()).isEmpty();
        all.add(
            new Received(
                JSON.readTree(m.body()),
                Long.parseLong(m.attributes().get(MessageSystemAttributeName.SENT_TIMESTAMP))));
      }
    }
    return all;
  }

  public static List<String> userIds(List<Received> received) {
    return received.stream().map(Received::userId).toList();
  }
}
