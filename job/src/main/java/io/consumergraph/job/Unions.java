package io.consumergraph.job;

import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;

/** Unions of streams whose number depends on the configuration. */
public final class Unions {

  private Unions() {}

  /** {@code first} with every stream of {@code more} (none: {@code first} itself). */
  public static <T> DataStream<T> of(DataStream<T> first, List<DataStream<T>> more) {
    DataStream<T> union = first;
    for (DataStream<T> stream : more) {
      union = union.union(stream);
    }
    return union;
  }

  /** Every stream of {@code streams}, which holds at least one. */
  public static <T> DataStream<T> of(List<DataStream<T>> streams) {
    if (streams.isEmpty()) {
      throw new IllegalArgumentException("nothing to union");
    }
    return of(streams.get(0), streams.subList(1, streams.size()));
  }
}
