package io.consumergraph.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches a user's receipts from the Purchase History API ({@code GET
 * {url}/v1/users/{userId}/receipts?startTimeMs=&pageSize=&pageToken=}), all pages, as backfill
 * {@link PurchaseEvent}s.
 *
 * <p>Every page request takes a permit from this client's token bucket (default 10 requests/s, seed
 * 001), so the rate of a job is this rate times the operator's parallelism. The client does not
 * retry: a failed page fails the whole fetch with an {@link UpstreamException} and the Flink async
 * I/O retry strategy starts it again.
 */
public final class PurchaseHistoryClient {

  private final UpstreamHttp http;
  private final String baseUrl;
  private final int pageSize;
  private final TokenBucket rateLimit;

  public PurchaseHistoryClient(UpstreamConfig config, UpstreamHttp http) {
    this(config, http, TokenBucket.perSecond(config.purchaseHistoryRequestsPerSecond()));
  }

  /** With a given rate limiter, for tests that observe its waits. */
  public PurchaseHistoryClient(UpstreamConfig config, UpstreamHttp http, TokenBucket rateLimit) {
    this.http = http;
    this.baseUrl = config.purchaseHistoryUrl();
    this.pageSize = config.purchaseHistoryPageSize();
    this.rateLimit = rateLimit;
  }

  /**
   * The user's receipts purchased at or after {@code startTimeMs}, in the API's order, as events
   * with channel RECEIPT and origin BACKFILL. Items without a FIDO are dropped, and receipts left
   * without items or without an id.
   */
  public CompletableFuture<List<PurchaseEvent>> fetchReceipts(String userId, long startTimeMs) {
    return fetchFrom(userId, startTimeMs, null, new ArrayList<>());
  }

  private CompletableFuture<List<PurchaseEvent>> fetchFrom(
      String userId, long startTimeMs, String pageToken, List<PurchaseEvent> collected) {
    // Cancelling the result (the loader does when BTS fails first) reaches the page in flight.
    CompletableFuture<JsonNode> body =
        Stages.thenCompose(
            http.delay(rateLimit.reserve()),
            ready ->
                http.get(UpstreamService.PURCHASE_HISTORY, page(userId, startTimeMs, pageToken)));
    return Stages.thenCompose(
        body,
        page -> {
          page.path("receipts").forEach(r -> addReceipt(userId, r, collected));
          String next = page.path("nextPageToken").asText("");
          return next.isEmpty()
              ? CompletableFuture.completedFuture(collected)
              : fetchFrom(userId, startTimeMs, next, collected);
        });
  }

  private URI page(String userId, long startTimeMs, String pageToken) {
    String query = "?startTimeMs=" + startTimeMs + "&pageSize=" + pageSize;
    if (pageToken != null) {
      query += "&pageToken=" + UpstreamHttp.encode(pageToken);
    }
    return URI.create(UpstreamHttp.uri(baseUrl, "v1", "users", userId, "receipts") + query);
  }

  private static void addReceipt(String userId, JsonNode r, List<PurchaseEvent> out) {
    String receiptId = r.path("receiptId").asText("");
    List<PurchasedItem> items = new ArrayList<>();
    for (JsonNode item : r.path("items")) {
      String fido = item.path("fido").asText("");
      if (fido.isEmpty()) {
        continue; // unmatched items cannot join the graph, as on the live path
      }
      items.add(
          new PurchasedItem(
              fido,
              item.path("description").asText(""),
              item.path("brand").asText(""),
              item.path("quantity").asDouble(1),
              item.path("price").asDouble(0)));
    }
    if (receiptId.isEmpty() || items.isEmpty()) {
      return;
    }
    out.add(
        new PurchaseEvent(
            r.path("userId").asText(userId),
            receiptId,
            Channel.RECEIPT,
            Origin.BACKFILL,
            r.path("purchaseTimeMs").asLong(),
            r.path("retailerId").asText(""),
            r.path("storeName").asText(""),
            items.toArray(PurchasedItem[]::new)));
  }
}
