package io.consumergraph.simulator.service;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.simulator.ShopOrder;
import io.consumergraph.simulator.ShopOrderLineItem;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.http.Request;
import io.consumergraph.simulator.http.Response;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The Button Transaction Service (BTS): {@code GET /user/{userId}/transaction?startTimeMs=} lists a
 * user's shop orders, {@code GET /internal/transaction/{buttonOrderId}/button} details one.
 */
public final class BtsService extends UserHistoryService {

  /** {@code clock} decides "now": orders created later do not exist yet. */
  public BtsService(SyntheticCatalog catalog, LongSupplier clock) {
    super(catalog, clock);
  }

  @Override
  public Response serve(Request request) {
    if (!request.isGet()) {
      return Response.use("GET");
    }
    List<String> p = request.path();
    if (p.size() == 3 && p.get(0).equals("user") && p.get(2).equals("transaction")) {
      return transactions(request, p.get(1));
    }
    if (p.size() == 4
        && p.get(0).equals("internal")
        && p.get(1).equals("transaction")
        && p.get(3).equals("button")) {
      return transaction(p.get(2));
    }
    return Response.noSuchEndpoint();
  }

  private Response transactions(Request request, String userId) {
    Long startTimeMs = request.query().getLong("startTimeMs");
    if (startTimeMs == null) {
      return startTimeRequired();
    }
    ObjectNode out = Response.object();
    ArrayNode transactions = out.putArray("transactions");
    for (ShopOrder o : catalog.shopOrdersFor(userId, startTimeMs, clock.getAsLong())) {
      ObjectNode n = transactions.addObject();
      n.put("buttonOrderId", o.buttonOrderId());
      n.put("status", o.status());
      n.put("createdAtMs", o.createdAtMs());
    }
    return Response.ok(out);
  }

  private Response transaction(String buttonOrderId) {
    ShopOrder o = catalog.shopOrder(buttonOrderId);
    if (o == null || o.createdAtMs() >= clock.getAsLong()) {
      return Response.error(404, "no transaction " + buttonOrderId);
    }
    ObjectNode n =
        Response.object()
            .put("buttonOrderId", o.buttonOrderId())
            .put("userId", o.userId())
            .put("retailerId", o.retailerId())
            .put("retailerName", o.retailerName())
            .put("status", o.status())
            .put("createdAtMs", o.createdAtMs());
    ArrayNode items = n.putArray("lineItems");
    for (ShopOrderLineItem i : o.lineItems()) {
      ItemJson.add(items, i.fido(), "name", i.name(), i.brand(), i.quantity(), i.price());
    }
    return Response.ok(n);
  }
}
