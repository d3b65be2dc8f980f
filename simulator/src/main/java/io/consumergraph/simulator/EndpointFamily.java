package io.consumergraph.simulator;

/** The simulated upstream services; knobs and statistics are kept per family. */
public enum EndpointFamily {
  FPS("fps"),
  CATEGORY("category"),
  RETAILER("retailer"),
  PURCHASE_HISTORY("purchaseHistory"),
  BTS("bts");

  private final String wireName;

  EndpointFamily(String wireName) {
    this.wireName = wireName;
  }

  /** The name used in the {@code /_sim/knobs} and {@code /_sim/stats} JSON. */
  public String wireName() {
    return wireName;
  }

  /** The family with this wire name, or null. */
  public static EndpointFamily fromWireName(String name) {
    for (EndpointFamily f : values()) {
      if (f.wireName.equals(name)) {
        return f;
      }
    }
    return null;
  }
}
