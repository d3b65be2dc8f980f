package io.consumergraph.simulator;

/**
 * Request statistics of one endpoint family since start or the last reset.
 *
 * @param requests requests received, including those answered with an injected failure
 * @param maxInFlight the most requests of this family that were being handled at once
 * @param injectedFailures requests answered with an injected 429 or error
 */
public record FamilyStats(long requests, int inFlight, int maxInFlight, long injectedFailures) {}
