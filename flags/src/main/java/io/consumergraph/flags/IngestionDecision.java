package io.consumergraph.flags;

import java.io.Serializable;
import java.util.Objects;

/**
 * Whether a user's live events are ingested, and which rule decided it; {@link #metricLabel()} is a
 * low-cardinality label for counters ({@code rollout}, {@code segment:<name>}, {@code internal},
 * {@code none}, {@code flag_off}, {@code no_document}).
 */
public record IngestionDecision(boolean enabled, Rule rule, String segmentName)
    implements Serializable {

  /** The rule that produced a decision. */
  public enum Rule {
    /** The user's stable hash is inside the flag's rollout percentage. */
    ROLLOUT,
    /** The user is listed in a segment (inline {@code allowedIDs} or an id list). */
    SEGMENT,
    /** The user is an internal user and the flag has an {@code internalUsers} segment. */
    INTERNAL,
    /** The flag is on but no rule matched. */
    NONE,
    /** The flag is missing from the document or disabled. */
    FLAG_OFF,
    /** No flag document has been loaded yet. */
    NO_DOCUMENT
  }

  public static final IngestionDecision ROLLOUT = new IngestionDecision(true, Rule.ROLLOUT, null);
  public static final IngestionDecision INTERNAL = new IngestionDecision(true, Rule.INTERNAL, null);
  public static final IngestionDecision NONE = new IngestionDecision(false, Rule.NONE, null);
  public static final IngestionDecision FLAG_OFF =
      new IngestionDecision(false, Rule.FLAG_OFF, null);
  public static final IngestionDecision NO_DOCUMENT =
      new IngestionDecision(false, Rule.NO_DOCUMENT, null);

  public IngestionDecision {
    Objects.requireNonNull(rule, "rule");
    if ((rule == Rule.SEGMENT) != (segmentName != null)) {
      throw new IllegalArgumentException("segmentName is set exactly for SEGMENT decisions");
    }
  }

  /** A decision made by the named segment. */
  public static IngestionDecision segment(String segmentName) {
    return new IngestionDecision(true, Rule.SEGMENT, Objects.requireNonNull(segmentName));
  }

  /** The label to count this decision under. */
  public String metricLabel() {
    return switch (rule) {
      case ROLLOUT -> "rollout";
      case SEGMENT -> "segment:" + segmentName;
      case INTERNAL -> "internal";
      case NONE -> "none";
      case FLAG_OFF -> "flag_off";
      case NO_DOCUMENT -> "no_document";
    };
  }
}
