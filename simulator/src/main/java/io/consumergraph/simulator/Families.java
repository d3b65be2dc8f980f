package io.consumergraph.simulator;

import java.util.EnumMap;
import java.util.Map;

/** The fault knobs and request counters of every endpoint family. */
final class Families {

  private final Map<EndpointFamily, FaultKnobs> knobs = new EnumMap<>(EndpointFamily.class);
  private final Map<EndpointFamily, FamilyCounters> counters = new EnumMap<>(EndpointFamily.class);

  Families() {
    for (EndpointFamily f : EndpointFamily.values()) {
      knobs.put(f, new FaultKnobs());
      counters.put(f, new FamilyCounters());
    }
  }

  FaultKnobs knobs(EndpointFamily family) {
    return knobs.get(family);
  }

  FamilyCounters counters(EndpointFamily family) {
    return counters.get(family);
  }

  /** Zeroes every family's counters. */
  void resetStats() {
    counters.values().forEach(FamilyCounters::reset);
  }

  /** Resets every family's knobs and counters. */
  void reset() {
    knobs.values().forEach(FaultKnobs::reset);
    resetStats();
  }
}
