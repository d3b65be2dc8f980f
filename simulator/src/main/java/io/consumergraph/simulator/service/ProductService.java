package io.consumergraph.simulator.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.simulator.CatalogProduct;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.http.Request;
import io.consumergraph.simulator.http.Response;
import java.io.IOException;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The FIDO product service (FPS): {@code GET /fps/v1/products/{fido}} and {@code POST
 * /fps/v1/products:batchGet}.
 */
public final class ProductService extends LookupService<CatalogProduct> {

  /** The most FIDOs one batchGet may ask for. */
  public static final int MAX_BATCH_SIZE = 500;

  private final SyntheticCatalog catalog;

  public ProductService(SyntheticCatalog catalog) {
    super("products", "product", catalog::product);
    this.catalog = catalog;
  }

  @Override
  public Response serve(Request request) {
    List<String> p = request.path();
    if (p.size() == 3 && p.get(1).equals("v1") && p.get(2).equals("products:batchGet")) {
      return request.isPost() ? batchGet(request) : Response.use("POST");
    }
    return super.serve(request);
  }

  private Response batchGet(Request request) {
    JsonNode body;
    try {
      body = request.jsonBody();
    } catch (IOException e) {
      return Response.error(400, "body is not JSON");
    }
    JsonNode fidos = body == null ? null : body.get("fidos");
    if (fidos == null || !fidos.isArray()) {
      return Response.error(400, "body needs a \"fidos\" array");
    }
    if (fidos.size() > MAX_BATCH_SIZE) {
      return Response.error(400, "at most " + MAX_BATCH_SIZE + " fidos per batch");
    }
    Set<String> distinct = new LinkedHashSet<>();
    for (JsonNode f : fidos) {
      if (!f.isTextual()) {
        return Response.error(400, "fidos must be strings");
      }
      distinct.add(f.asText());
    }
    ObjectNode out = Response.object();
    ArrayNode products = out.putArray("products");
    ArrayNode notFound = out.putArray("notFound");
    for (String fido : distinct) {
      CatalogProduct product = catalog.product(fido);
      if (product == null) {
        notFound.add(fido);
      } else {
        products.add(render(product));
      }
    }
    return Response.ok(out);
  }

  @Override
  ObjectNode render(CatalogProduct product) {
    ObjectNode n = Response.object();
    n.put("fido", product.fido());
    n.put("name", product.name());
    n.put("brand", product.brand());
    if (product.hasCategory()) {
      n.put("categoryId", product.categoryId()); // absent when FPS has no category (~53%)
    }
    return n;
  }
}
