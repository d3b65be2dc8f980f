package io.consumergraph.upstream;

import static io.consumergraph.upstream.CatalogClientsTest.failure;
import static io.consumergraph.upstream.CatalogClientsTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.simulator.EndpointFamily;
import io.consumergraph.simulator.HistoryReceipt;
import io.consumergraph.simulator.HistoryReceiptItem;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Purchase History client over real HTTP against the simulator. */
class PurchaseHistoryClientTest {

  private static final long DAY = 24L * 60 * 60 * 1000;
  private static final long NOW = System.currentTimeMillis();
  private static final long SINCE = NOW - 365 * DAY;

  private static UpstreamSimulator simulator;
  private static SyntheticCatalog catalog;

  @BeforeAll
  static void startSimulator() throws Exception {
    simulator = UpstreamSimulator.start();
    simulator.clock(() -> NOW);
    catalog = simulator.catalog();
  }

  @AfterAll
  static void stopSimulator() {
    simulator.close();
  }

  @BeforeEach
  void reset() {
    simulator.reset();
  }

  private static UpstreamConfig.Builder config() {
    return UpstreamConfig.builder().baseUrl(simulator.baseUri().toString());
  }

  @Test
  void fetchesEveryPageAsBackfillReceiptEvents() throws Exception {
    String user = userWithReceipts(30);
    List<HistoryReceipt> expected = catalog.receiptsFor(user, SINCE, NOW);
    try (UpstreamClients clients =
        UpstreamClients.create(
            config().purchaseHistoryPageSize(7).purchaseHistoryRequestsPerSecond(1_000).build())) {
      List<PurchaseEvent> events = get(clients.purchaseHistory().fetchReceipts(user, SINCE));

      assertThat(simulator.requestCount(EndpointFamily.PURCHASE_HISTORY))
          .isEqualTo((expected.size() + 6) / 7);
      List<HistoryReceipt> withFido =
          expected.stream()
              .filter(r -> r.items().stream().anyMatch(i -> !i.fido().isEmpty()))
              .toList();
      assertThat(events).hasSize(withFido.size());
      for (int i = 0; i < events.size(); i++) {
        PurchaseEvent e = events.get(i);
        HistoryReceipt r = withFido.get(i);
        assertThat(e.userId()).isEqualTo(user);
        assertThat(e.purchaseId()).isEqualTo(r.receiptId());
        assertThat(e.channel()).isEqualTo(Channel.RECEIPT);
        assertThat(e.origin()).isEqualTo(Origin.BACKFILL);
        assertThat(e.purchaseTimeMs()).isEqualTo(r.purchaseTimeMs());
        assertThat(e.retailerId()).isEqualTo(r.retailerId());
        assertThat(e.retailerName()).isEqualTo(r.storeName());
        assertThat(Arrays.stream(e.items()).map(PurchasedItem::fido))
            .containsExactlyElementsOf(
                r.items().stream()
                    .map(HistoryReceiptItem::fido)
                    .filter(f -> !f.isEmpty())
                    .toList());
      }
    }
  }

  @Test
  void itemsWithoutFidoAreDropped() throws Exception {
    // Find a user whose history has unmatched items, so the test proves the drop.
    String user = null;
    for (int u = 0; user == null; u++) {
      boolean unmatched =
          catalog.receiptsFor("user-" + u, SINCE, NOW).stream()
              .flatMap(r -> r.items().stream())
              .anyMatch(i -> i.fido().isEmpty());
      user = unmatched ? "user-" + u : null;
    }
    try (UpstreamClients clients = UpstreamClients.create(config().build())) {
      for (PurchaseEvent e : get(clients.purchaseHistory().fetchReceipts(user, SINCE))) {
        assertThat(e.items()).isNotEmpty().allMatch(i -> !i.fido().isEmpty());
      }
    }
  }

  @Test
  void aFailedPageFailsTheWholeFetchWithoutRetrying() {
    String user = userWithReceipts(30);
    simulator.knobs(EndpointFamily.PURCHASE_HISTORY).failAfter(2, 1, 503);
    try (UpstreamClients clients =
        UpstreamClients.create(
            config().purchaseHistoryPageSize(5).purchaseHistoryRequestsPerSecond(1_000).build())) {
      UpstreamException e = failure(clients.purchaseHistory().fetchReceipts(user, SINCE));
      assertThat(e.service()).isEqualTo(UpstreamService.PURCHASE_HISTORY);
      assertThat(e.retryable()).isTrue();
      assertThat(simulator.requestCount(EndpointFamily.PURCHASE_HISTORY)).isEqualTo(3);
    }
  }

  @Test
  void pagesAreSpacedByTheRateLimit() throws Exception {
    String user = userWithReceipts(30);
    int pages = (catalog.receiptsFor(user, SINCE, NOW).size() + 4) / 5;
    try (UpstreamClients clients =
        UpstreamClients.create(
            config().purchaseHistoryPageSize(5).purchaseHistoryRequestsPerSecond(20).build())) {
      long started = System.nanoTime();
      get(clients.purchaseHistory().fetchReceipts(user, SINCE));
      long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
      // 20/s: page k may not start before (k-1) * 50 ms. A lower bound only: never flaky.
      assertThat(pages).isGreaterThanOrEqualTo(6);
      assertThat(elapsedMs).isGreaterThanOrEqualTo((pages - 1) * 50L);
    }
  }

  private static String userWithReceipts(int atLeast) {
    for (int u = 0; ; u++) {
      if (catalog.receiptsPerYear("user-" + u) >= atLeast) {
        return "user-" + u;
      }
    }
  }
}
