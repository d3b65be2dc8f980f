package io.consumergraph.simulator.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.HistoryReceiptItem;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.http.Query;
import io.consumergraph.simulator.http.Request;
import io.consumergraph.simulator.http.Response;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The Purchase History API: {@code GET
 * /purchase-history/v1/users/{userId}/receipts?startTimeMs=&pageSize=&pageToken=}, a user's
 * receipts since a time, in pages.
 */
public final class PurchaseHistoryService extends UserHistoryService {

  public static final int DEFAULT_PAGE_SIZE = 25;
  public static final int MAX_PAGE_SIZE = 100;

  /** {@code clock} decides "now", the end of the receipt window. */
  public PurchaseHistoryService(SyntheticCatalog catalog, LongSupplier clock) {
    super(catalog, clock);
  }

  @Override
  public Response serve(Request request) {
    List<String> p = request.path();
    if (p.size() != 5
        || !p.get(1).equals("v1")
        || !p.get(2).equals("users")
        || !p.get(4).equals("receipts")) {
      return Response.noSuchEndpoint();
    }
    if (!request.isGet()) {
      return Response.use("GET");
    }
    Query q = request.query();
    Long startTimeMs = q.getLong("startTimeMs");
    if (startTimeMs == null) {
      return startTimeRequired();
    }
    int pageSize = DEFAULT_PAGE_SIZE;
    if (q.has("pageSize")) {
      Long size = q.getLong("pageSize");
      if (size == null || size < 1 || size > MAX_PAGE_SIZE) {
        return Response.error(400, "pageSize must be in [1, " + MAX_PAGE_SIZE + "]");
      }
      pageSize = size.intValue();
    }
    PageToken start = new PageToken(0, clock.getAsLong());
    String token = q.get("pageToken");
    if (token != null && !token.isEmpty()) {
      start = PageToken.decode(token);
      if (start == null) {
        return Response.error(400, "invalid pageToken");
      }
    }
    List<HistoryReceipt> all = catalog.receiptsFor(p.get(3), startTimeMs, start.nowMs());
    int end = Math.min(all.size(), start.offset() + pageSize);
    ObjectNode out = Response.object();
    ArrayNode receipts = out.putArray("receipts");
    for (HistoryReceipt r : all.subList(Math.min(start.offset(), all.size()), end)) {
      receipt(receipts.addObject(), r);
    }
    if (end < all.size()) {
      out.put("nextPageToken", new PageToken(end, start.nowMs()).encode());
    }
    return Response.ok(out);
  }

  private static void receipt(ObjectNode n, HistoryReceipt r) {
    n.put("receiptId", r.receiptId());
    n.put("userId", r.userId());
    n.put("purchaseTimeMs", r.purchaseTimeMs());
    n.put("retailerId", r.retailerId());
    n.put("storeName", r.storeName());
    ArrayNode items = n.putArray("items");
    for (HistoryReceiptItem i : r.items()) {
      ItemJson.add(
          items, i.fido(), "description", i.description(), i.brand(), i.quantity(), i.price());
    }
  }
}
