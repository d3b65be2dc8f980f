package io.consumergraph.upstream;

/** The company's internal HTTP services the job calls. */
public enum UpstreamService {
  /** FIDO product service. */
  FPS,
  CATEGORY,
  RETAILER,
  PURCHASE_HISTORY,
  /** Button Transaction Service: shop orders. */
  BTS
}
