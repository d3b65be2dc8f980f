package io.consumergraph.simulator.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.simulator.CatalogCategory;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.http.Response;

/** The category service: {@code GET /category/v1/categories/{id}} with the id's hierarchy. */
public final class CategoryService extends LookupService<CatalogCategory> {

  public CategoryService(SyntheticCatalog catalog) {
    super("categories", "category", catalog::category);
  }

  @Override
  ObjectNode render(CatalogCategory c) {
    ObjectNode n = Response.object().put("categoryId", c.categoryId()).put("name", c.name());
    c.hierarchy().forEach(n.putArray("hierarchy")::add);
    return n;
  }
}
