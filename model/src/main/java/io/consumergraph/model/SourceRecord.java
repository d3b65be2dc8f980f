package io.consumergraph.model;

/**
 * One record as read from a Kafka topic, before decoding: the payload plus the coordinates a dead
 * letter needs to point back at it.
 */
public record SourceRecord(
    String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value) {}
