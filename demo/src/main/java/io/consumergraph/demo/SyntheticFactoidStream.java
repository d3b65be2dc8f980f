package io.consumergraph.demo;

import io.consumergraph.model.proto.Factoid;
import io.consumergraph.model.proto.FactoidEventType;
import io.consumergraph.model.proto.FactoidSource;
import io.consumergraph.operators.decode.SchemaRegistryFraming;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * A factoid stream with the production mix of seed 002: ~90% not from SHOP, some shop orders not
 * finalized, ~67% of finalized orders without FIDOs; schema-registry framed, a few raw.
 */
public final class SyntheticFactoidStream {

  /** One record to produce and what it is. */
  public record Generated(String kind, byte[] key, byte[] value) {}

  private final SplittableRandom random;
  private final int users;
  private final CatalogSample catalog;
  private final long nowMs;
  private long sequence;

  public SyntheticFactoidStream(long seed, int users, CatalogSample catalog, long nowMs) {
    this.random = new SplittableRandom(seed);
    this.users = users;
    this.catalog = catalog;
    this.nowMs = nowMs;
  }

  public Generated next() {
    String user = "user-" + random.nextInt(users);
    Factoid.Builder f =
        Factoid.newBuilder()
            .setSummaryId("bo-" + Long.toHexString(random.nextLong()) + "-" + sequence++)
            .setUserId(user)
            .setEventTimeMs(nowMs - random.nextLong(7L * 86_400_000L))
            .setRetailerId(catalog.retailerId().apply(random.nextInt(catalog.retailers())));
    String kind;
    double roll = random.nextDouble();
    if (roll < 0.9) {
      kind = "NOT_SHOP";
      f.setSource(random.nextBoolean() ? FactoidSource.PLAY : FactoidSource.QUEST)
          .setEventType(FactoidEventType.QUEST_COMPLETED);
    } else if (roll < 0.92) {
      kind = "NOT_FINALIZED";
      f.setSource(FactoidSource.SHOP).setEventType(FactoidEventType.ORDER_PENDING);
    } else if (roll < 0.975) {
      kind = "NO_FIDOS";
      f.setSource(FactoidSource.SHOP).setEventType(FactoidEventType.ORDER_FINALIZED);
    } else {
      kind = "SHOP_ORDER";
      f.setSource(FactoidSource.SHOP).setEventType(FactoidEventType.ORDER_FINALIZED);
      int n = 1 + random.nextInt(4);
      for (int i = 0; i < n; i++) {
        f.addFidos(catalog.fido().apply(random.nextInt(catalog.products())));
      }
      f.setFidoCount(n);
    }
    byte[] message = f.build().toByteArray();
    // Most producers frame through the schema registry; a few legacy ones send raw protobuf.
    byte[] value =
        random.nextInt(20) == 0 ? message : SchemaRegistryFraming.frame(7, new int[] {0}, message);
    return new Generated(kind, user.getBytes(StandardCharsets.UTF_8), value);
  }
}
