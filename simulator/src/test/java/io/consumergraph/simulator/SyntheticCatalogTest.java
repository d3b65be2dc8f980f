package io.consumergraph.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SyntheticCatalogTest {

  private static final long DAY = 24L * 60 * 60 * 1000;
  private static final long NOW = 1_790_000_000_000L;
  private static final long YEAR_AGO = NOW - 365 * DAY;

  private final SyntheticCatalog catalog = new SyntheticCatalog();

  @Test
  void sameSeedGivesSameDataInEveryInstance() {
    SyntheticCatalog other = new SyntheticCatalog();
    for (int i = 0; i < catalog.productCount(); i += 97) {
      assertThat(other.fido(i)).isEqualTo(catalog.fido(i));
      assertThat(other.product(other.fido(i))).isEqualTo(catalog.product(catalog.fido(i)));
    }
    for (int u = 0; u < 200; u++) {
      String user = "user-" + u;
      assertThat(other.receiptsFor(user, YEAR_AGO, NOW))
          .isEqualTo(catalog.receiptsFor(user, YEAR_AGO, NOW));
      assertThat(other.shopOrdersFor(user, YEAR_AGO, NOW))
          .isEqualTo(catalog.shopOrdersFor(user, YEAR_AGO, NOW));
    }
    // The FIDOs are pinned so that a change of the generator is a visible, deliberate change.
    assertThat(catalog.fido(0)).isEqualTo(new SyntheticCatalog().fido(0)).startsWith("fido-");
  }

  @Test
  void otherSeedGivesOtherData() {
    SyntheticCatalog other = new SyntheticCatalog(7, 5_000, 200);
    assertThat(other.fido(0)).isNotEqualTo(catalog.fido(0));
  }

  @Test
  void productsHaveNamesBrandsAndACategoryForAboutFortySevenPercent() {
    assertThat(catalog.productCount()).isEqualTo(5_000);
    Set<String> fidos = new HashSet<>();
    int categorized = 0;
    for (int i = 0; i < catalog.productCount(); i++) {
      CatalogProduct p = catalog.product(catalog.fido(i));
      fidos.add(p.fido());
      assertThat(p.name()).isNotBlank();
      assertThat(p.brand()).isNotBlank();
      if (p.hasCategory()) {
        categorized++;
        CatalogCategory leaf = catalog.category(p.categoryId());
        assertThat(leaf).isNotNull();
        assertThat(leaf.hierarchy()).hasSize(3).endsWith(p.categoryId());
      }
    }
    assertThat(fidos).hasSize(5_000);
    assertThat(categorized / 5_000.0).isCloseTo(0.47, within(0.02));
    assertThat(catalog.product("fido-unknown")).isNull();
  }

  @Test
  void categoryTreeHasThreeLevelsListedRootToLeaf() {
    List<String> ids = catalog.categoryIds();
    assertThat(ids.size()).isBetween(70, 90);
    for (String id : ids) {
      CatalogCategory c = catalog.category(id);
      assertThat(c.hierarchy()).isNotEmpty().hasSizeLessThanOrEqualTo(3).endsWith(id);
      for (int level = 0; level < c.hierarchy().size(); level++) {
        CatalogCategory ancestor = catalog.category(c.hierarchy().get(level));
        assertThat(ancestor.hierarchy()).isEqualTo(c.hierarchy().subList(0, level + 1));
      }
    }
  }

  @Test
  void retailersHaveNamesAndStoreTypes() {
    assertThat(catalog.retailerCount()).isEqualTo(200);
    Set<String> types = new HashSet<>();
    for (int i = 0; i < catalog.retailerCount(); i++) {
      CatalogRetailer r = catalog.retailer(catalog.retailerId(i));
      assertThat(r.name()).isNotBlank();
      types.add(r.storeType());
    }
    assertThat(types).contains("GROCERY", "PHARMACY", "CLUB", "CONVENIENCE", "ONLINE");
  }

  @Test
  void purchaseHistoryHasUpToFortyReceiptsAYearOfOneToEightKnownItems() {
    int maxReceipts = 0;
    int withReceipts = 0;
    for (int u = 0; u < 2_000; u++) {
      String user = "user-" + u;
      List<HistoryReceipt> receipts = catalog.receiptsFor(user, YEAR_AGO, NOW);
      assertThat(receipts.size()).isEqualTo(catalog.receiptsPerYear(user)).isBetween(0, 40);
      maxReceipts = Math.max(maxReceipts, receipts.size());
      withReceipts += receipts.isEmpty() ? 0 : 1;
      long previous = Long.MIN_VALUE;
      for (HistoryReceipt r : receipts) {
        assertThat(r.purchaseTimeMs()).isBetween(YEAR_AGO, NOW - 1).isGreaterThan(previous);
        previous = r.purchaseTimeMs();
        assertThat(r.items()).hasSizeBetween(1, 8);
        assertThat(catalog.retailer(r.retailerId())).isNotNull();
        for (HistoryReceiptItem item : r.items()) {
          assertThat(item.fido().isEmpty() || catalog.product(item.fido()) != null).isTrue();
        }
      }
    }
    assertThat(maxReceipts).isEqualTo(40);
    assertThat(withReceipts).isGreaterThan(1_900);
  }

  @Test
  void historyIsStableOnTheAbsoluteTimelineAsTimePasses() {
    String user = "user-stable";
    List<HistoryReceipt> today = catalog.receiptsFor(user, YEAR_AGO, NOW);
    List<HistoryReceipt> tomorrow = catalog.receiptsFor(user, YEAR_AGO, NOW + DAY);
    assertThat(tomorrow).containsAll(today);
    List<HistoryReceipt> split =
        new ArrayList<>(catalog.receiptsFor(user, YEAR_AGO, NOW - 90 * DAY));
    split.addAll(catalog.receiptsFor(user, NOW - 90 * DAY, NOW));
    assertThat(split).isEqualTo(today);
  }

  @Test
  void btsShopOrdersFollowTheSeedDistribution() {
    // Seed 001: ~29% of users have BTS transactions; median 3, p90 32, p99 171, max 288.
    int users = 20_000;
    List<Integer> counts = new ArrayList<>();
    for (int u = 0; u < users; u++) {
      int n = catalog.shopOrdersPerYear("user-" + u);
      if (n > 0) {
        counts.add(n);
      }
    }
    Collections.sort(counts);
    assertThat(counts.size() / (double) users).isCloseTo(0.29, within(0.01));
    assertThat(quantile(counts, 0.50)).isEqualTo(3);
    assertThat(quantile(counts, 0.90)).isBetween(29, 35);
    assertThat(quantile(counts, 0.99)).isBetween(150, 190);
    assertThat(counts.get(counts.size() - 1)).isBetween(260, 288);
  }

  @Test
  void aYearWindowHoldsExactlyTheYearlyShopOrderCount() {
    for (int u = 0; u < 3_000; u++) {
      String user = "user-" + u;
      List<ShopOrder> orders = catalog.shopOrdersFor(user, YEAR_AGO, NOW);
      assertThat(orders).hasSize(catalog.shopOrdersPerYear(user));
      for (ShopOrder o : orders) {
        assertThat(catalog.shopOrder(o.buttonOrderId())).isEqualTo(o);
        assertThat(o.lineItems()).isNotEmpty();
        o.lineItems().forEach(item -> assertThat(catalog.product(item.fido())).isNotNull());
      }
    }
    assertThat(catalog.shopOrder("bo-x-user-1")).isNull();
    assertThat(catalog.shopOrder("nonsense")).isNull();
  }

  private static int quantile(List<Integer> sorted, double q) {
    return sorted.get((int) Math.ceil(q * sorted.size()) - 1);
  }
}
