package io.consumergraph.operators.decode;

import io.consumergraph.model.SourceRecord;
import java.io.Serializable;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * Turns one input record into a {@link DecodeResult}; must never throw (if it does, {@link
 * DecodeAndFilter} dead-letters the record as a decoder error). Every input of the job is decoded
 * through this one seam.
 */
public interface RecordDecoder<T> extends Serializable {

  DecodeResult<T> decode(SourceRecord record, long nowMs);

  /** The type of the accepted values, for Flink's serializers. */
  TypeInformation<T> producedType();

  /** The filter reasons this decoder can return; each gets a counter from the start. */
  default Set<FilterReason> filterReasons() {
    return Set.of();
  }

  /** Whether accepted results may leave items out, counted as {@code itemsWithoutFido}. */
  default boolean dropsItems() {
    return false;
  }
}
