package io.consumergraph.model;

/** A retailer as the retailer service describes it. */
public record Retailer(String retailerId, String name, String storeType) {}
