package io.consumergraph.simulator.service;

import io.consumergraph.simulator.http.Request;
import io.consumergraph.simulator.http.Response;

/**
 * One emulated upstream service: answers the requests under its path prefix, whose segments {@link
 * Request#path()} still starts with.
 */
public interface EmulatedService {

  Response serve(Request request);
}
