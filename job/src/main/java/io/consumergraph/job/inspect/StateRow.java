package io.consumergraph.job.inspect;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * What a scan reports of one state of one key (or of one broadcast entry): how many entries, their
 * serialized size and, when one user is inspected, the content as JSON.
 *
 * @param key the user id; for broadcast state, the entry's key
 * @param entries 1 for a value, the number of list elements or map entries
 * @param bytes the serialized size (see {@link KeyedStateScan})
 * @param content the state as JSON; null unless one user is inspected
 */
public record StateRow(
    String operator,
    String state,
    String key,
    boolean broadcast,
    long entries,
    long bytes,
    String content) {

  static final TypeInformation<StateRow> TYPE = TypeInformation.of(StateRow.class);
}
