package io.consumergraph.operators.decode;

import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.SourceRecord;
import java.util.Set;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** A {@link RecordDecoder} of purchases, which only needs the record's bytes. */
@FunctionalInterface
public interface PurchaseDecoder extends RecordDecoder<PurchaseEvent> {

  DecodeResult<PurchaseEvent> decode(byte[] payload, long nowMs);

  @Override
  default DecodeResult<PurchaseEvent> decode(SourceRecord record, long nowMs) {
    return decode(record.value(), nowMs);
  }

  @Override
  default TypeInformation<PurchaseEvent> producedType() {
    return TypeInformation.of(PurchaseEvent.class);
  }

  @Override
  default Set<FilterReason> filterReasons() {
    return Set.of(FilterReason.values());
  }

  @Override
  default boolean dropsItems() {
    return true;
  }
}
