package io.consumergraph.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Fetches a user's shop orders from the Button Transaction Service (BTS) as backfill {@link
 * PurchaseEvent}s: {@code GET {url}/user/{userId}/transaction?startTimeMs=} lists them, then {@code
 * GET {url}/internal/transaction/{buttonOrderId}/button} gives each one's line items.
 *
 * <p>As in seed 001, details are fetched one at a time up to 50 orders and 5 at a time above.
 * Fail-fast: the first failed detail call fails the whole future and cancels the calls in flight,
 * because an incomplete history must never be written as a FullLoad; cancelling the returned future
 * (the loader does when Purchase History fails first) cancels the exchanges in flight too. The
 * client does not retry; the Flink async I/O retry strategy does, guided by {@link
 * UpstreamException#retryable()}.
 */
public final class BtsClient {

  private final UpstreamHttp http;
  private final String baseUrl;
  private final int sequentialThreshold;
  private final int concurrency;

  public BtsClient(UpstreamConfig config, UpstreamHttp http) {
    this.http = http;
    this.baseUrl = config.btsUrl();
    this.sequentialThreshold = config.btsSequentialThreshold();
    this.concurrency = config.btsDetailConcurrency();
  }

  /**
   * The user's shop orders created at or after {@code startTimeMs}, in list order, with purchaseId
   * = buttonOrderId (= the factoid's summaryID), channel SHOP_ORDER and origin BACKFILL. Line items
   * without a FIDO are dropped, and orders left without any.
   */
  public CompletableFuture<List<PurchaseEvent>> fetchShopOrders(String userId, long startTimeMs) {
    URI list =
        URI.create(
            UpstreamHttp.uri(baseUrl, "user", userId, "transaction")
                + "?startTimeMs="
                + startTimeMs);
    CompletableFuture<List<Optional<PurchaseEvent>>> orders =
        Stages.thenCompose(
            http.get(UpstreamService.BTS, list),
            body -> {
              List<String> orderIds = new ArrayList<>();
              body.path("transactions")
                  .forEach(
                      t -> {
                        String id = t.path("buttonOrderId").asText("");
                        if (!id.isEmpty()) {
                          orderIds.add(id);
                        }
                      });
              int parallel = orderIds.size() > sequentialThreshold ? concurrency : 1;
              return FailFastFanOut.run(orderIds, parallel, id -> detail(userId, id));
            });
    return Stages.thenApply(orders, found -> found.stream().flatMap(Optional::stream).toList());
  }

  private CompletableFuture<Optional<PurchaseEvent>> detail(String userId, String buttonOrderId) {
    URI uri = UpstreamHttp.uri(baseUrl, "internal", "transaction", buttonOrderId, "button");
    return Stages.thenApply(
        http.get(UpstreamService.BTS, uri), body -> toEvent(userId, buttonOrderId, body));
  }

  private static Optional<PurchaseEvent> toEvent(
      String userId, String buttonOrderId, JsonNode order) {
    List<PurchasedItem> items = new ArrayList<>();
    for (JsonNode item : order.path("lineItems")) {
      String fido = item.path("fido").asText("");
      if (fido.isEmpty()) {
        continue;
      }
      items.add(
          new PurchasedItem(
              fido,
              item.path("name").asText(""),
              item.path("brand").asText(""),
              item.path("quantity").asDouble(1),
              item.path("price").asDouble(0)));
    }
    if (items.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(
        new PurchaseEvent(
            order.path("userId").asText(userId),
            buttonOrderId,
            Channel.SHOP_ORDER,
            Origin.BACKFILL,
            order.path("createdAtMs").asLong(),
            order.path("retailerId").asText(""),
            order.path("retailerName").asText(""),
            items.toArray(PurchasedItem[]::new)));
  }
}
