package io.consumergraph.operators.state;

import java.time.Duration;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;

/**
 * The TTL the job's keyed state uses: an entry expires {@code ttl} after it was created or last
 * written, is never read once expired, and RocksDB drops it in its compactions.
 */
public final class StateTtl {

  /** Entries the RocksDB compaction filter handles before it reads the current time again. */
  static final long COMPACTION_ENTRIES_PER_TIME_QUERY = 1000;

  private StateTtl() {}

  /** The TTL as a builder, for state that wants another cleanup strategy on top. */
  public static StateTtlConfig.Builder builder(Duration ttl) {
    return StateTtlConfig.newBuilder(ttl)
        .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
        .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
        .cleanupInRocksdbCompactFilter(COMPACTION_ENTRIES_PER_TIME_QUERY);
  }

  /** The TTL of entries that live {@code ttl} after their last write. */
  public static StateTtlConfig afterWrite(Duration ttl) {
    return builder(ttl).build();
  }

  /** Enables {@link #afterWrite} on the descriptor and returns it. */
  public static <D extends StateDescriptor<?, ?>> D expireAfterWrite(D descriptor, Duration ttl) {
    descriptor.enableTimeToLive(afterWrite(ttl));
    return descriptor;
  }
}
