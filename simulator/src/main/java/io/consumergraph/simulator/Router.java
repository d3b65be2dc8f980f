package io.consumergraph.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.consumergraph.simulator.http.Request;
import io.consumergraph.simulator.http.Response;
import io.consumergraph.simulator.service.EmulatedService;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends each request to the service its first path segment names, through that family's fault knobs
 * and counters; what no service claims goes to the control endpoints.
 */
final class Router implements HttpHandler {

  private static final Logger LOG = LoggerFactory.getLogger(UpstreamSimulator.class);

  private final Map<EndpointFamily, EmulatedService> services;
  private final Families families;
  private final ControlEndpoints control;

  Router(Map<EndpointFamily, EmulatedService> services, Families families) {
    this.services = services;
    this.families = families;
    this.control = new ControlEndpoints(families);
  }

  /** The family whose service serves this path, or null for none. */
  static EndpointFamily familyOf(List<String> path) {
    if (path.isEmpty()) {
      return null;
    }
    return switch (path.get(0)) {
      case "fps" -> EndpointFamily.FPS;
      case "category" -> EndpointFamily.CATEGORY;
      case "retailer" -> EndpointFamily.RETAILER;
      case "purchase-history" -> EndpointFamily.PURCHASE_HISTORY;
      case "user", "internal" -> EndpointFamily.BTS;
      default -> null;
    };
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      Request request = Request.of(exchange);
      EndpointFamily family = familyOf(request.path());
      Response response;
      if (family == null) {
        response = control.serve(request);
      } else {
        FamilyCounters c = families.counters(family);
        c.begin();
        try {
          response = serveWithFaults(family, request);
        } finally {
          // Leave the in-flight count before the client sees the response, so that a client
          // sending its next request on receipt never overlaps with this one in the statistics.
          c.end();
        }
      }
      response.send(exchange);
    } catch (RuntimeException e) {
      LOG.warn("Simulator failed to serve {}", exchange.getRequestURI(), e);
      Response.error(500, "internal error: " + e).send(exchange);
    }
  }

  private Response serveWithFaults(EndpointFamily family, Request request) {
    FaultKnobs k = families.knobs(family);
    long delay = k.nextDelayMs();
    // Decided on arrival, so failAfter counts requests in the order they reached the simulator.
    int failure = k.nextFailure();
    if (delay > 0 && !(failure != 0 && k.fastFailures())) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Response.error(503, "simulator shutting down");
      }
    }
    if (failure != 0) {
      families.counters(family).injectedFailure();
      return Response.error(failure, "injected failure");
    }
    return services.get(family).serve(request);
  }
}
