package io.consumergraph.benchmarks;

import io.consumergraph.model.Channel;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.Origin;
import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;
import io.consumergraph.model.proto.ProcessedReceiptEvent;
import io.consumergraph.model.proto.ReceiptItem;
import io.consumergraph.model.proto.ReceiptStatus;
import io.consumergraph.model.proto.Store;
import io.consumergraph.simulator.CatalogProduct;
import io.consumergraph.simulator.CatalogRetailer;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.HistoryReceiptItem;
import io.consumergraph.simulator.ShopOrder;
import io.consumergraph.simulator.ShopOrderLineItem;
import io.consumergraph.simulator.SyntheticCatalog;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The benchmark's input: a stream of valid receipts (1–7 distinct FIDO items, ~4 on average) over a
 * user and product range, with a share of exact re-sends, and the product/retailer metadata the
 * upstream simulator serves for them. Every variant gets this same stream, so their graphs must be
 * equal.
 */
final class SyntheticReceipts {

  /** One delivered receipt; a re-send is the same object delivered twice. */
  record Receipt(
      String receiptId,
      String userId,
      String retailerId,
      long purchaseTimeMs,
      List<String> fidos) {}

  private final SyntheticCatalog catalog;
  private final List<Receipt> deliveries;
  private final int distinctReceipts;

  private SyntheticReceipts(SyntheticCatalog catalog, List<Receipt> deliveries, int distinct) {
    this.catalog = catalog;
    this.deliveries = deliveries;
    this.distinctReceipts = distinct;
  }

  /**
   * @param receipts deliveries in total, re-sends included
   * @param resendShare share of deliveries that repeat an earlier receipt
   */
  static SyntheticReceipts generate(
      SyntheticCatalog catalog,
      long seed,
      int receipts,
      int users,
      double resendShare,
      long nowMs) {
    SplittableRandom random = new SplittableRandom(seed);
    List<Receipt> deliveries = new ArrayList<>(receipts);
    List<Receipt> distinct = new ArrayList<>();
    for (int i = 0; i < receipts; i++) {
      if (!distinct.isEmpty() && random.nextDouble() < resendShare) {
        deliveries.add(distinct.get(random.nextInt(distinct.size())));
        continue;
      }
      int items = 1 + random.nextInt(7);
      Set<String> fidos = new LinkedHashSet<>();
      while (fidos.size() < items) {
        fidos.add(catalog.fido(popularProduct(random, catalog.productCount())));
      }
      Receipt receipt =
          new Receipt(
              "bench-" + seed + "-" + i,
              "user-" + random.nextInt(users),
              catalog.retailerId(random.nextInt(catalog.retailerCount())),
              nowMs - random.nextLong(30L * 86_400_000L),
              List.copyOf(fidos));
      distinct.add(receipt);
      deliveries.add(receipt);
    }
    return new SyntheticReceipts(catalog, List.copyOf(deliveries), distinct.size());
  }

  /**
   * What a backfill of these users loads: the receipts Purchase History and the shop orders BTS
   * hold for them in {@code [sinceMs, nowMs)}, each delivered once, with the matched items only (a
   * receipt without any is left out, as the job leaves it out).
   */
  static SyntheticReceipts ofHistories(
      SyntheticCatalog catalog, List<String> users, long sinceMs, long nowMs) {
    List<Receipt> out = new ArrayList<>();
    for (String user : users) {
      for (HistoryReceipt r : catalog.receiptsFor(user, sinceMs, nowMs)) {
        List<String> fidos =
            r.items().stream()
                .map(HistoryReceiptItem::fido)
                .filter(f -> !f.isEmpty())
                .distinct()
                .toList();
        if (!fidos.isEmpty()) {
          out.add(new Receipt(r.receiptId(), user, r.retailerId(), r.purchaseTimeMs(), fidos));
        }
      }
      for (ShopOrder o : catalog.shopOrdersFor(user, sinceMs, nowMs)) {
        List<String> fidos =
            o.lineItems().stream().map(ShopOrderLineItem::fido).distinct().toList();
        out.add(new Receipt(o.buttonOrderId(), user, o.retailerId(), o.createdAtMs(), fidos));
      }
    }
    return new SyntheticReceipts(catalog, List.copyOf(out), out.size());
  }

  /** Skewed towards a head of popular products, as real baskets (and the demo's stream) are. */
  private static int popularProduct(SplittableRandom random, int products) {
    double u = random.nextDouble();
    return (int) Math.min(products - 1, Math.floor(products * u * u * u));
  }

  List<Receipt> deliveries() {
    return deliveries;
  }

  int distinctReceipts() {
    return distinctReceipts;
  }

  long itemRows() {
    return deliveries.stream().mapToLong(r -> r.fidos().size()).sum();
  }

  SyntheticCatalog catalog() {
    return catalog;
  }

  /** The receipt as the receipt topic carries it. */
  ProcessedReceiptEvent event(Receipt receipt, long processedAtMs) {
    CatalogRetailer retailer = catalog.retailer(receipt.retailerId());
    ProcessedReceiptEvent.Builder b =
        ProcessedReceiptEvent.newBuilder()
            .setReceiptId(receipt.receiptId())
            .setUserId(receipt.userId())
            .setStatus(ReceiptStatus.FINISHED)
            .setStore(
                Store.newBuilder()
                    .setRetailerId(retailer.retailerId())
                    .setStoreName(retailer.name()))
            .setPurchaseTimeMs(receipt.purchaseTimeMs())
            .setProcessedAtMs(processedAtMs);
    for (String fido : receipt.fidos()) {
      CatalogProduct product = catalog.product(fido);
      b.addItems(
          ReceiptItem.newBuilder()
              .setFido(fido)
              .setDescription(product.name())
              .setQuantity(1)
              .setPrice(product.price()));
    }
    return b.build();
  }

  /** The receipt as enrichment resolves it: what the sink receives in the pipeline. */
  GraphUpdate update(Receipt receipt, long nowMs) {
    return GraphUpdate.live(purchase(receipt), nowMs);
  }

  EnrichedPurchase purchase(Receipt receipt) {
    CatalogRetailer r = catalog.retailer(receipt.retailerId());
    Product[] products = new Product[receipt.fidos().size()];
    for (int i = 0; i < products.length; i++) {
      products[i] = product(receipt.fidos().get(i));
    }
    return new EnrichedPurchase(
        receipt.userId(),
        receipt.receiptId(),
        Channel.RECEIPT,
        Origin.RECEIPT_STREAM,
        receipt.purchaseTimeMs(),
        new Retailer(r.retailerId(), r.name(), r.storeType()),
        products,
        true);
  }

  Product product(String fido) {
    CatalogProduct p = catalog.product(fido);
    String[] hierarchy =
        p.hasCategory()
            ? catalog.category(p.categoryId()).hierarchy().toArray(String[]::new)
            : new String[0];
    return new Product(p.fido(), p.name(), p.brand(), p.categoryId(), hierarchy);
  }
}
