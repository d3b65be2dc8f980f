package io.consumergraph.job.kafka;

import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** Parses the {@code kafka.start-from} setting. */
public final class StartingOffsets {

  private StartingOffsets() {}

  public static OffsetsInitializer parse(String value) {
    String v = value.trim();
    switch (v) {
      case "committed":
        return OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
      case "earliest":
        return OffsetsInitializer.earliest();
      case "latest":
        return OffsetsInitializer.latest();
      default:
        if (v.startsWith("timestamp:")) {
          String ms = v.substring("timestamp:".length());
          try {
            return OffsetsInitializer.timestamp(Long.parseLong(ms));
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                "kafka.start-from: '" + ms + "' is not an epoch-millisecond timestamp");
          }
        }
        throw new IllegalArgumentException(
            "kafka.start-from must be committed, earliest, latest or timestamp:<epochMs>, got '"
                + value
                + "'");
    }
  }
}
