package io.consumergraph.job.inspect;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;

/**
 * Reads every keyed state of one operator, key by key, and reports each non-empty one as a {@link
 * StateRow}; with a user id, only that user's, with its content.
 *
 * <p>Bytes are the serialized size, with the state's own serializers, of what the state stores per
 * record: the user id plus the value (a value state), plus all elements (a list), or plus the map
 * key and value (each map entry). Not counted: TTL timestamps (8 bytes a record), key-group
 * prefixes, RocksDB's own overhead and compression; so it approximates the state's share of a
 * snapshot, not the files' size.
 */
final class KeyedStateScan extends KeyedStateReaderFunction<String, StateRow> {

  private static final long serialVersionUID = 1L;

  /**
   * For state written with a TTL: the same serializer (so nothing migrates on restore), every entry
   * returned, expired or not, and nothing cleaned up while reading.
   */
  private static final StateTtlConfig READ_EVERY_ENTRY =
      StateTtlConfig.newBuilder(Duration.ofDays(36_500))
          .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
          .setStateVisibility(StateTtlConfig.StateVisibility.ReturnExpiredIfNotCleanedUp)
          .disableCleanupInBackground()
          .build();

  private final JobStates.Operator operator;
  private final Set<String> ttlStates;
  private final String user;

  private transient List<StateRead> reads;
  private transient Sizes sizes;
  private transient ObjectMapper json;

  /**
   * @param ttlStates names of this operator's states written with a TTL
   * @param user the only user to report, with content; null for every user, without
   */
  KeyedStateScan(JobStates.Operator operator, Set<String> ttlStates, String user) {
    this.operator = operator;
    this.ttlStates = new HashSet<>(ttlStates);
    this.user = user;
  }

  @Override
  public void open(OpenContext openContext) {
    sizes = new Sizes();
    json = new ObjectMapper();
    reads = new ArrayList<>();
    for (StateSpec spec : operator.states()) {
      reads.add(register(spec));
    }
  }

  @Override
  public void readKey(String key, Context ctx, Collector<StateRow> out) throws Exception {
    if (user != null && !user.equals(key)) {
      return;
    }
    long keyBytes = sizes.of(Types.STRING, key);
    for (StateRead read : reads) {
      Content content = read.read(keyBytes);
      if (content.entries() > 0) {
        out.collect(
            new StateRow(
                operator.uid(),
                read.name(),
                key,
                false,
                content.entries(),
                content.bytes(),
                user == null ? null : json.writeValueAsString(content.value())));
      }
    }
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private StateRead register(StateSpec spec) {
    var context = getRuntimeContext();
    TypeInformation valueType = spec.valueType();
    return switch (spec.kind()) {
      case VALUE -> {
        ValueState<Object> state =
            context.getState(ttl(new ValueStateDescriptor<>(spec.name(), valueType)));
        yield new StateRead(
            spec.name(),
            keyBytes -> {
              Object v = state.value();
              return v == null
                  ? Content.EMPTY
                  : new Content(1, keyBytes + sizes.of(valueType, v), v);
            });
      }
      case LIST -> {
        ListState<Object> state =
            context.getListState(ttl(new ListStateDescriptor<>(spec.name(), valueType)));
        yield new StateRead(
            spec.name(),
            keyBytes -> {
              List<Object> elements = new ArrayList<>();
              long bytes = keyBytes;
              Iterable<Object> stored = state.get();
              if (stored != null) {
                for (Object e : stored) {
                  elements.add(e);
                  bytes += sizes.of(valueType, e);
                }
              }
              return elements.isEmpty()
                  ? Content.EMPTY
                  : new Content(elements.size(), bytes, elements);
            });
      }
      case MAP -> {
        TypeInformation keyType = spec.mapKeyType();
        MapState<Object, Object> state =
            context.getMapState(ttl(new MapStateDescriptor<>(spec.name(), keyType, valueType)));
        yield new StateRead(
            spec.name(),
            keyBytes -> {
              // Sorted, so the same snapshot always prints the same way.
              Map<String, Object> entries = new TreeMap<>();
              long bytes = 0;
              for (Map.Entry<Object, Object> e : state.entries()) {
                entries.put(String.valueOf(e.getKey()), e.getValue());
                bytes +=
                    keyBytes + sizes.of(keyType, e.getKey()) + sizes.of(valueType, e.getValue());
              }
              return entries.isEmpty()
                  ? Content.EMPTY
                  : new Content(entries.size(), bytes, entries);
            });
      }
    };
  }

  private <D extends StateDescriptor<?, ?>> D ttl(D descriptor) {
    if (ttlStates.contains(descriptor.getName())) {
      descriptor.enableTimeToLive(READ_EVERY_ENTRY);
    }
    return descriptor;
  }

  /** One state's content for the current key. */
  private record Content(long entries, long bytes, Object value) {
    static final Content EMPTY = new Content(0, 0, null);
  }

  @FunctionalInterface
  private interface Reader {
    Content read(long keyBytes) throws Exception;
  }

  private record StateRead(String name, Reader reader) {
    Content read(long keyBytes) throws Exception {
      return reader.read(keyBytes);
    }
  }

  /** Serialized sizes, with one serializer per type and one reused buffer. */
  private static final class Sizes {
    private final Map<TypeInformation<?>, TypeSerializer<?>> serializers =
        new java.util.HashMap<>();
    private final DataOutputSerializer buffer = new DataOutputSerializer(256);

    @SuppressWarnings("unchecked")
    <T> long of(TypeInformation<T> type, T value) throws IOException {
      TypeSerializer<T> serializer =
          (TypeSerializer<T>)
              serializers.computeIfAbsent(
                  type, t -> t.createSerializer(new SerializerConfigImpl()));
      buffer.clear();
      serializer.serialize(value, buffer);
      return buffer.length();
    }
  }
}
