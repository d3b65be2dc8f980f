package io.consumergraph.simulator.service;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.simulator.http.Request;
import io.consumergraph.simulator.http.Response;
import java.util.List;
import java.util.function.Function;

/**
 * A catalog service that serves one record by id, {@code GET /{service}/v1/{collection}/{id}}: 404
 * for another path or an unknown id, 405 for another method.
 */
abstract class LookupService<T> implements EmulatedService {

  private final String collection;
  private final String noun;
  private final Function<String, T> lookup;

  /** {@code noun} names the record in the 404 of an unknown id: "no {noun} {id}". */
  LookupService(String collection, String noun, Function<String, T> lookup) {
    this.collection = collection;
    this.noun = noun;
    this.lookup = lookup;
  }

  /** The record as the service's JSON. */
  abstract ObjectNode render(T record);

  @Override
  public Response serve(Request request) {
    List<String> p = request.path();
    if (p.size() != 4 || !p.get(1).equals("v1") || !p.get(2).equals(collection)) {
      return Response.noSuchEndpoint();
    }
    if (!request.isGet()) {
      return Response.use("GET");
    }
    String id = p.get(3);
    T found = lookup.apply(id);
    return found == null
        ? Response.error(404, "no " + noun + " " + id)
        : Response.ok(render(found));
  }
}
