package io.consumergraph.model;

/**
 * How a user load ended, fed back to the load coordinator: a success marks the user loaded, a
 * failure only clears the in-flight mark.
 */
public record LoadOutcome(String userId, String requestId, boolean succeeded, long atMs) {}
