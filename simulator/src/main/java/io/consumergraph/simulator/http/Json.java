package io.consumergraph.simulator.http;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The one JSON mapper of the simulator: thread-safe, default settings. */
final class Json {

  static final ObjectMapper MAPPER = new ObjectMapper();

  private Json() {}
}
