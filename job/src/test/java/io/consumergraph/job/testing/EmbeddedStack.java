package io.consumergraph.job.testing;

import io.consumergraph.embedded.EmbeddedKafka;
import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.embedded.EmbeddedSqs;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.model.proto.Store;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.HistoryReceiptItem;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The in-process servers of a job integration test (Kafka, Neo4j, ElasticMQ, the upstream simulator
 * with its clock at {@link #nowMs()}), with the records and requests the tests send and the oracle
 * they check against. Register it as a static JUnit extension (started before the class's tests,
 * closed after them), or {@link #start()} one by hand.
 */
public final class EmbeddedStack implements BeforeAllCallback, AfterAllCallback, AutoCloseable {

  private static final long DAY = 86_400_000L;

  private EmbeddedKafka kafka;
  private EmbeddedNeo4j neo4j;
  private EmbeddedSqs sqs;
  private UpstreamSimulator upstream;
  private long nowMs;
  private BackfillOracle oracle;

  /** Starts every server; "now" is today at midnight, so requests and the oracle share a window. */
  public static EmbeddedStack start() throws Exception {
    EmbeddedStack stack = new EmbeddedStack();
    stack.startServers();
    return stack;
  }

  private void startServers() throws Exception {
    // The job's SQS clients use the default credentials chain; ElasticMQ accepts any.
    System.setProperty("aws.accessKeyId", "test");
    System.setProperty("aws.secretAccessKey", "test");
    long now = (System.currentTimeMillis() / DAY) * DAY;
    nowMs = now;
    kafka = EmbeddedKafka.start();
    neo4j = EmbeddedNeo4j.start();
    sqs = EmbeddedSqs.start();
    upstream = UpstreamSimulator.start();
    upstream.clock(() -> now);
    oracle = new BackfillOracle(upstream.catalog(), neo4j, now);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    startServers();
  }

  @Override
  public void afterAll(ExtensionContext context) throws Exception {
    close();
  }

  public EmbeddedKafka kafka() {
    return kafka;
  }

  public EmbeddedNeo4j neo4j() {
    return neo4j;
  }

  public EmbeddedSqs sqs() {
    return sqs;
  }

  public UpstreamSimulator upstream() {
    return upstream;
  }

  public long nowMs() {
    return nowMs;
  }

  public BackfillOracle oracle() {
    return oracle;
  }

  public SyntheticCatalog catalog() {
    return upstream.catalog();
  }

  /** The seed's {@code user_load_request} for {@code user}, 365 days, a fresh request id. */
  public String loadRequest(String user) {
    return loadRequest(user, false);
  }

  /** The same, with {@code force}: loaded again even if it was loaded recently. */
  public String loadRequest(String user, boolean force) {
    return "{\"event_type\": \"user_load_request\", \"user_id\": \""
        + user
        + "\", \"reason\": \"batch_backfill\", \"requested_at\": \""
        + Instant.ofEpochMilli(nowMs)
        + "\", \"lookback_days\": 365, \"request_id\": \""
        + UUID.randomUUID()
        + "\", \"priority\": \"low\", \"force\": "
        + force
        + "}";
  }

  /**
   * A live receipt of {@code user} a minute ago at the catalog's retailer 0 with product 1: what
   * {@link BackfillOracle#assertAggregatesMatch} expects of live ids.
   */
  public byte[] liveReceipt(String id, String user) {
    return ProcessedReceiptEvent.newBuilder()
        .setReceiptId(id)
        .setUserId(user)
        .setStatus(ReceiptStatus.FINISHED)
        .setStore(Store.newBuilder().setRetailerId(catalog().retailerId(0)))
        .setPurchaseTimeMs(System.currentTimeMillis() - 60_000)
        .addItems(ReceiptItem.newBuilder().setFido(catalog().fido(1)).setQuantity(1))
        .build()
        .toByteArray();
  }

  /** A history receipt as the live receipt stream carries it: same id, retailer, time, items. */
  public static byte[] liveCopy(HistoryReceipt r) {
    ProcessedReceiptEvent.Builder b =
        ProcessedReceiptEvent.newBuilder()
            .setReceiptId(r.receiptId())
            .setUserId(r.userId())
            .setStatus(ReceiptStatus.FINISHED)
            .setStore(Store.newBuilder().setRetailerId(r.retailerId()).setStoreName(r.storeName()))
            .setPurchaseTimeMs(r.purchaseTimeMs());
    for (HistoryReceiptItem item : r.items()) {
      b.addItems(ReceiptItem.newBuilder().setFido(item.fido()).setQuantity(item.quantity()));
    }
    return b.build().toByteArray();
  }

  /** Messages on the queue that are visible now. */
  public int visible(String queue) {
    return attribute(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES);
  }

  /** Messages on the queue, visible or in flight. */
  public int messages(String queue) {
    return visible(queue)
        + attribute(queue, QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE);
  }

  private int attribute(String queue, QueueAttributeName name) {
    Map<QueueAttributeName, String> attributes =
        sqs.client().getQueueAttributes(b -> b.queueUrl(queue).attributeNames(name)).attributes();
    return Integer.parseInt(attributes.get(name));
  }

  @Override
  public void close() throws Exception {
    for (AutoCloseable server : new AutoCloseable[] {upstream, sqs, neo4j, kafka}) {
      if (server != null) {
        server.close();
      }
    }
  }
}
