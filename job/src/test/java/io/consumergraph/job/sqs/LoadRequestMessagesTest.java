package io.consumergraph.job.sqs;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.backfill.UserLoadRequestParser;
import io.consumergraph.sqs.proxy.OutgoingSqsMessage;
import org.junit.jupiter.api.Test;

class LoadRequestMessagesTest {

  @Test
  void theJobsOwnRequestIsOneItsDecoderAcceptsAsTheSameRequest() {
    UserLoadRequest request =
        new UserLoadRequest(
            "5d1c7a0e-0000-3000-8000-000000000001",
            "user \"quoted\" \u00e9\u4e2d",
            "auto_enabled",
            1_764_547_200_123L,
            365,
            "low",
            false,
            "user-gate");

    OutgoingSqsMessage message = new LoadRequestMessages().toMessage(request);
    UserLoadRequestParser.Parsed parsed = UserLoadRequestParser.parse(message.body(), "bulk");

    assertThat(parsed.errors()).isEmpty();
    assertThat(parsed.request())
        .isEqualTo(
            new UserLoadRequest(
                request.requestId(),
                request.userId(),
                request.reason(),
                request.requestedAtMs(),
                request.lookbackDays(),
                request.priority(),
                request.force(),
                "bulk"));
    assertThat(message.attributes())
        .containsEntry(LoadRequestMessages.SENDER_ATTRIBUTE, "user-gate");
  }
}
