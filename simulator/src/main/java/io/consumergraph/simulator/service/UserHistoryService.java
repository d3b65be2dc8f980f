package io.consumergraph.simulator.service;

import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.http.Response;
import java.util.function.LongSupplier;

/**
 * A service of what a user did up to "now" (Purchase History, BTS): lists take a required {@code
 * startTimeMs}, and the clock decides where the window ends.
 */
abstract class UserHistoryService implements EmulatedService {

  final SyntheticCatalog catalog;
  final LongSupplier clock;

  UserHistoryService(SyntheticCatalog catalog, LongSupplier clock) {
    this.catalog = catalog;
    this.clock = clock;
  }

  /** The answer to a list request without a numeric {@code startTimeMs}. */
  static Response startTimeRequired() {
    return Response.error(400, "startTimeMs is required and must be a number");
  }
}
