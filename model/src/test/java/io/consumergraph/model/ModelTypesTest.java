package io.consumergraph.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The job runs with generic types disabled (no Kryo): every record type that flows between
 * operators must be a Flink POJO so that its serializer is fast and its state evolvable.
 */
class ModelTypesTest {

  @ParameterizedTest
  @ValueSource(
      classes = {
        SourceRecord.class,
        DeadLetter.class,
        PurchaseEvent.class,
        PurchasedItem.class,
        Product.class,
        Retailer.class,
        EnrichedPurchase.class,
        GraphUpdate.class,
        UserLoadRequest.class,
        UserHistory.class,
        LoadOutcome.class,
        MergeInput.class
      })
  void isAFlinkPojo(Class<?> type) {
    assertThat(TypeInformation.of(type)).isInstanceOf(PojoTypeInfo.class);
  }

  @ParameterizedTest
  @ValueSource(classes = {GraphUpdate.class, DeadLetter.class})
  void serializesWithoutKryo(Class<?> type) throws Exception {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    TypeSerializer<Object> serializer = serializer(type, config);
    Object value = sample(type);

    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(value, out);
    Object copy = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));

    assertThat(copy).usingRecursiveComparison().isEqualTo(value);
  }

  @SuppressWarnings("unchecked")
  private static TypeSerializer<Object> serializer(Class<?> type, SerializerConfig config) {
    return ((TypeInformation<Object>) TypeInformation.of(type)).createSerializer(config);
  }

  private static Object sample(Class<?> type) {
    if (type == DeadLetter.class) {
      return new DeadLetter("undecodable", "bad bytes", "receipts", 1, 42L, new byte[] {7}, 9L);
    }
    EnrichedPurchase purchase =
        new EnrichedPurchase(
            "u1",
            "r1",
            Channel.SHOP_ORDER,
            Origin.FACTOID_STREAM,
            5L,
            new Retailer("ret-1", "Shop", "ONLINE"),
            new Product[] {new Product("f1", "Milk", "Brand", "c3", new String[] {"c1", "c3"})},
            true);
    return GraphUpdate.fullLoad("u1", 6L, 2L, new EnrichedPurchase[] {purchase});
  }
}
