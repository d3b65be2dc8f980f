package io.consumergraph.operators.gate;

import io.consumergraph.flags.ContentVersion;
import io.consumergraph.flags.DocumentLocation;
import io.consumergraph.flags.FlagDocumentParser;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import java.time.Instant;
import java.util.Map;

/** Flag snapshots and purchases for the gate's unit tests, made without a poller. */
final class Flags {

  /** The key of the id list in {@link #BETA}. */
  static final String BETA_LIST = "s3://flags/beta.csv";

  /** Ingestion for the inline segment {@code Team Users} ({@code u1}) and the id list Beta. */
  static final String BETA =
      "flags:\n"
          + "  consumer_graph_ingestion:\n"
          + "    enabled: true\n"
          + "    rollout: 0\n"
          + "    segments:\n"
          + "      - name: Team Users\n"
          + "        allowedIDs: [\"u1\"]\n"
          + "      - name: Beta\n"
          + "        allowedS3IDs: "
          + BETA_LIST
          + "\n";

  private Flags() {}

  /** A snapshot of {@code yaml} whose id lists are at the given versions. */
  static FlagSnapshot snapshot(String yaml, Map<String, String> listVersions) throws Exception {
    Map<String, ContentVersion> versions = new java.util.HashMap<>();
    listVersions.forEach((key, version) -> versions.put(key, new ContentVersion(version)));
    return new FlagSnapshot(
        new FlagDocumentParser().parse(yaml),
        yaml,
        DocumentLocation.parse("s3://flags/flags.yaml"),
        new ContentVersion("doc-1"),
        versions,
        Instant.EPOCH);
  }

  /** The Beta document with its list at {@code version}. */
  static FlagSnapshot beta(String version) throws Exception {
    return snapshot(BETA, Map.of(BETA_LIST, version));
  }

  /** Everyone is ingested; the killswitches as given. */
  static FlagSnapshot everyone(boolean receiptKillswitch, boolean factoidKillswitch)
      throws Exception {
    return snapshot(
        "flags:\n"
            + "  consumer_graph_ingestion: { enabled: true, rollout: 100 }\n"
            + "  consumer_graph_receipt_killswitch: { enabled: "
            + receiptKillswitch
            + " }\n"
            + "  consumer_graph_factoid_killswitch: { enabled: "
            + factoidKillswitch
            + " }\n",
        Map.of());
  }

  static PurchaseEvent purchase(String user, String id, Origin origin) {
    return new PurchaseEvent(
        user,
        id,
        origin == Origin.FACTOID_STREAM ? Channel.SHOP_ORDER : Channel.RECEIPT,
        origin,
        1L,
        "r",
        "shop",
        new PurchasedItem[] {new PurchasedItem("f", "d", "b", 1, 1)});
  }
}
