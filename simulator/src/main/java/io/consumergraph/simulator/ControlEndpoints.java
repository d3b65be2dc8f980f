package io.consumergraph.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.consumergraph.simulator.http.Request;
import io.consumergraph.simulator.http.Response;
import java.io.IOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The simulator's own endpoints: {@code GET|POST /_sim/knobs}, {@code GET /_sim/stats}, {@code POST
 * /_sim/reset}.
 */
final class ControlEndpoints {

  private final Families families;

  ControlEndpoints(Families families) {
    this.families = families;
  }

  Response serve(Request request) {
    List<String> p = request.path();
    if (p.size() != 2 || !p.get(0).equals("_sim")) {
      return Response.noSuchEndpoint();
    }
    switch (p.get(1)) {
      case "stats":
        return Response.ok(statsJson());
      case "knobs":
        if (request.isPost()) {
          String problem = applyKnobs(request);
          if (problem != null) {
            return Response.error(400, problem);
          }
        }
        return Response.ok(knobsJson());
      case "reset":
        if (!request.isPost()) {
          return Response.use("POST");
        }
        families.reset();
        return Response.ok(Response.object());
      default:
        return Response.noSuchEndpoint();
    }
  }

  /**
   * Applies {@code {"fps": {"latencyMs": 50, "jitterMs": 10, "rate429": 0.1, "rate5xx": 0.05,
   * "failNext": 3, "failStatus": 503, "failAfter": 0, "fastFailures": true, "reset": true}, ...}};
   * returns a problem or null.
   */
  private String applyKnobs(Request request) {
    JsonNode body;
    try {
      body = request.jsonBody();
    } catch (IOException e) {
      return "body is not JSON";
    }
    if (body == null || !body.isObject()) {
      return "body must be a JSON object keyed by family";
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = body.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      EndpointFamily family = EndpointFamily.fromWireName(e.getKey());
      if (family == null) {
        return "unknown family " + e.getKey();
      }
      try {
        apply(e.getValue(), families.knobs(family));
      } catch (IllegalArgumentException ex) {
        return ex.getMessage();
      }
    }
    return null;
  }

  private static void apply(JsonNode v, FaultKnobs k) {
    if (v.path("reset").asBoolean(false)) {
      k.reset();
    }
    if (v.has("latencyMs") || v.has("jitterMs")) {
      k.latency(v.path("latencyMs").asLong(k.latencyMs()), v.path("jitterMs").asLong(k.jitterMs()));
    }
    if (v.has("rate429")) {
      k.throttleRate(v.get("rate429").asDouble());
    }
    if (v.has("rate5xx")) {
      k.errorRate(v.get("rate5xx").asDouble());
    }
    if (v.has("fastFailures")) {
      k.fastFailures(v.get("fastFailures").asBoolean());
    }
    if (v.has("failNext")) {
      k.failAfter(
          v.path("failAfter").asInt(0), v.get("failNext").asInt(), v.path("failStatus").asInt(503));
    }
  }

  private ObjectNode knobsJson() {
    ObjectNode out = Response.object();
    for (EndpointFamily f : EndpointFamily.values()) {
      FaultKnobs k = families.knobs(f);
      ObjectNode n = out.putObject(f.wireName());
      n.put("latencyMs", k.latencyMs());
      n.put("jitterMs", k.jitterMs());
      n.put("rate429", k.throttleRate());
      n.put("rate5xx", k.errorRate());
      n.put("fastFailures", k.fastFailures());
      n.put("pendingFailures", k.pendingFailures());
    }
    return out;
  }

  private ObjectNode statsJson() {
    ObjectNode out = Response.object();
    for (EndpointFamily f : EndpointFamily.values()) {
      FamilyStats s = families.counters(f).snapshot();
      ObjectNode n = out.putObject(f.wireName());
      n.put("requests", s.requests());
      n.put("inFlight", s.inFlight());
      n.put("maxInFlight", s.maxInFlight());
      n.put("injectedFailures", s.injectedFailures());
    }
    return out;
  }
}
