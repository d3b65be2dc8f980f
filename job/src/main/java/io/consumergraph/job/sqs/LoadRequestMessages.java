package io.consumergraph.job.sqs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.sqs.proxy.OutgoingSqsMessage;
import io.consumergraph.sqs.sink.SqsSinkElementConverter;
import java.time.Instant;
import java.util.Map;

/**
 * A load request the job makes itself (auto-load) as a message on the bulk queue, in the shape the
 * backfill CLI sends and the job reads (README, "Backfills"). Its {@code requested_at} is the
 * request's own time, so the load's window is the same however long the request waited.
 */
public final class LoadRequestMessages implements SqsSinkElementConverter<UserLoadRequest> {

  private static final long serialVersionUID = 1L;

  private static final ObjectMapper JSON = new ObjectMapper();

  /** Names the job as the sender, for whoever reads the queue. */
  public static final String SENDER_ATTRIBUTE = "sender";

  @Override
  public OutgoingSqsMessage toMessage(UserLoadRequest request) {
    ObjectNode node = JSON.createObjectNode();
    node.put("event_type", "user_load_request");
    node.put("user_id", request.userId());
    node.put("reason", request.reason());
    node.put("requested_at", Instant.ofEpochMilli(request.requestedAtMs()).toString());
    node.put("lookback_days", request.lookbackDays());
    node.put("request_id", request.requestId());
    node.put("priority", request.priority());
    node.put("force", request.force());
    return new OutgoingSqsMessage(
        node.toString(),
        Map.of(SENDER_ATTRIBUTE, request.source()),
        "load request (" + request.reason() + ", user " + request.userId() + ")");
  }
}
