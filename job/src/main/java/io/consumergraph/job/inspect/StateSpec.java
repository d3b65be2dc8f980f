package io.consumergraph.job.inspect;

import java.io.Serializable;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * One keyed state of one of the job's operators: its name and types as the operator declares them,
 * and how the table shows its content.
 *
 * @param mapKeyType the map's key type; null unless {@code kind} is {@link Kind#MAP}
 * @param valueType the value's type; a list's element type; a map's value type
 */
record StateSpec(
    String name,
    Kind kind,
    TypeInformation<?> mapKeyType,
    TypeInformation<?> valueType,
    Shown shown)
    implements Serializable {

  enum Kind {
    VALUE,
    LIST,
    MAP
  }

  /** How the table renders the content (the JSON output always has the values as read). */
  enum Shown {
    /** As it is. */
    PLAIN,
    /** An epoch-millisecond time. */
    TIME,
    /** A map of ids to the epoch-millisecond time each was recorded. */
    TIMES_BY_ID,
    /** Purchases (a list, or a map's values): id, time, channel, item count. */
    PURCHASES,
    /** A load request. */
    REQUEST,
    /** A map of id-list keys to the list versions the user is in. */
    VERSIONS_BY_LIST
  }

  static StateSpec value(String name, TypeInformation<?> type, Shown shown) {
    return new StateSpec(name, Kind.VALUE, null, type, shown);
  }

  static StateSpec list(String name, TypeInformation<?> elementType, Shown shown) {
    return new StateSpec(name, Kind.LIST, null, elementType, shown);
  }

  static StateSpec map(
      String name, TypeInformation<?> keyType, TypeInformation<?> valueType, Shown shown) {
    return new StateSpec(name, Kind.MAP, keyType, valueType, shown);
  }
}
