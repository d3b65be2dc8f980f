package io.consumergraph.simulator.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.simulator.CatalogRetailer;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.http.Response;

/** The retailer service: {@code GET /retailer/v1/retailers/{id}}. */
public final class RetailerService extends LookupService<CatalogRetailer> {

  public RetailerService(SyntheticCatalog catalog) {
    super("retailers", "retailer", catalog::retailer);
  }

  @Override
  ObjectNode render(CatalogRetailer r) {
    return Response.object()
        .put("retailerId", r.retailerId())
        .put("name", r.name())
        .put("storeType", r.storeType());
  }
}
