package io.consumergraph.model;

/** The input a purchase arrived through; gates and killswitches act per origin. */
public enum Origin {
  RECEIPT_STREAM,
  FACTOID_STREAM,
  BACKFILL
}
