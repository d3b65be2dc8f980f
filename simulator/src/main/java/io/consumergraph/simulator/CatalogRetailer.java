package io.consumergraph.simulator;

/** A retailer of the simulated retailer service. */
public record CatalogRetailer(String retailerId, String name, String storeType) {}
