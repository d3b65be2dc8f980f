package io.consumergraph.upstream;

import static io.consumergraph.upstream.CatalogClientsTest.failure;
import static io.consumergraph.upstream.CatalogClientsTest.get;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.model.Channel;
import io.consumergraph.model.Origin;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import io.consumergraph.simulator.EndpointFamily;
import io.consumergraph.simulator.ShopOrder;
import io.consumergraph.simulator.ShopOrderLineItem;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The BTS client over real HTTP against the simulator. */
class BtsClientIT {

  private static final long DAY = 24L * 60 * 60 * 1000;
  private static final long NOW = System.currentTimeMillis();
  private static final long SINCE = NOW - 365 * DAY;

  private static UpstreamSimulator simulator;
  private static SyntheticCatalog catalog;

  private UpstreamClients clients;

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
  void newClients() {
    simulator.reset();
    clients =
        UpstreamClients.create(
            UpstreamConfig.builder().baseUrl(simulator.baseUri().toString()).build());
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  @Test
  void shopOrdersBecomeBackfillEventsKeyedByButtonOrderId() throws Exception {
    String user = userWithShopOrders(4, 50);
    List<ShopOrder> expected = catalog.shopOrdersFor(user, SINCE, NOW);
    List<PurchaseEvent> events = get(clients.bts().fetchShopOrders(user, SINCE));
    assertThat(events).hasSize(expected.size());
    for (int i = 0; i < events.size(); i++) {
      PurchaseEvent e = events.get(i);
      ShopOrder o = expected.get(i);
      assertThat(e.userId()).isEqualTo(user);
      assertThat(e.purchaseId()).isEqualTo(o.buttonOrderId());
      assertThat(e.channel()).isEqualTo(Channel.SHOP_ORDER);
      assertThat(e.origin()).isEqualTo(Origin.BACKFILL);
      assertThat(e.purchaseTimeMs()).isEqualTo(o.createdAtMs());
      assertThat(e.retailerId()).isEqualTo(o.retailerId());
      assertThat(e.retailerName()).isEqualTo(o.retailerName());
      assertThat(Arrays.stream(e.items()).map(PurchasedItem::fido))
          .containsExactlyElementsOf(o.lineItems().stream().map(ShopOrderLineItem::fido).toList());
    }
  }

  @Test
  void aUserWithoutOrdersHasNone() throws Exception {
    String user = userWithShopOrders(0, 0);
    assertThat(get(clients.bts().fetchShopOrders(user, SINCE))).isEmpty();
    assertThat(simulator.requestCount(EndpointFamily.BTS)).isEqualTo(1);
  }

  @Test
  void upToFiftyOrdersAreFetchedOneAtATime() throws Exception {
    String user = userWithShopOrders(30, 50);
    simulator.knobs(EndpointFamily.BTS).latency(3, 0);
    List<PurchaseEvent> events = get(clients.bts().fetchShopOrders(user, SINCE));
    assertThat(events).hasSize(catalog.shopOrdersPerYear(user));
    assertThat(simulator.requestCount(EndpointFamily.BTS)).isEqualTo(1 + events.size());
    assertThat(simulator.maxInFlight(EndpointFamily.BTS)).isEqualTo(1);
  }

  @Test
  void moreThanFiftyOrdersAreFetchedFiveAtATime() throws Exception {
    String user = userWithShopOrders(80, 120);
    simulator.knobs(EndpointFamily.BTS).latency(10, 5);
    List<PurchaseEvent> events = get(clients.bts().fetchShopOrders(user, SINCE));
    assertThat(events).hasSize(catalog.shopOrdersPerYear(user));
    assertThat(simulator.requestCount(EndpointFamily.BTS)).isEqualTo(1 + events.size());
    // Never more than 5; and more than one, or the concurrency would not be used at all.
    assertThat(simulator.maxInFlight(EndpointFamily.BTS)).isBetween(2, 5);
  }

  @Test
  void theFirstFailedDetailFailsTheWholeFetchAndStopsTheRest() throws Exception {
    String user = userWithShopOrders(100, 200);
    int orders = catalog.shopOrdersPerYear(user);
    // The list call and 10 detail calls succeed; the 11th detail call fails. The failure is
    // answered at once and successes take 100 ms, which bounds the launches racing with it (with
    // equal latencies a second round of them was a plain race, reached under load).
    simulator.knobs(EndpointFamily.BTS).latency(100, 0).failAfter(11, 1, 503).fastFailures(true);
    UpstreamException e = failure(clients.bts().fetchShopOrders(user, SINCE));
    assertThat(e.service()).isEqualTo(UpstreamService.BTS);
    assertThat(e.statusCode()).isEqualTo(503);
    assertThat(e.retryable()).isTrue();
    // Calls already on the wire when the failure arrived may still land: wait until they have.
    long settled = settle(EndpointFamily.BTS);
    Thread.sleep(300);
    // Nothing new starts after the failure; without fail-fast the rest of the orders would follow.
    assertThat(simulator.requestCount(EndpointFamily.BTS)).isEqualTo(settled);
    // The failure is decided on arrival of the 12th request (list + 11 details), so at least 12
    // arrive. At most: those 12, the other 4 of the 5 in flight then, and one launch by each of
    // those 4 succeeding before the client has seen the 503; a second round would need the 503,
    // answered at once, to be handled 100 ms late. Cancelling only lowers the count.
    assertThat(settled).isBetween(1L + 11, 1L + 11 + 2 * 4);
    assertThat(settled).isLessThan(1 + orders);
  }

  @Test
  void aFailedDetailCallCancelsTheCallsStillOnTheWire() throws Exception {
    String user = userWithShopOrders(60, 200);
    // Every answer takes 4 s but the failure, which comes at once: when the second detail call
    // fails, the other detail calls of the first five are still waiting for their answers.
    simulator.knobs(EndpointFamily.BTS).latency(4000, 0).failAfter(2, 1, 503).fastFailures(true);
    clients.close();
    clients =
        UpstreamClients.create(
            UpstreamConfig.builder()
                .baseUrl(simulator.baseUri().toString())
                .requestTimeout(Duration.ofSeconds(30))
                .build());
    UpstreamException e = failure(clients.bts().fetchShopOrders(user, SINCE));
    assertThat(e.statusCode()).isEqualTo(503);

    long deadline = System.nanoTime() + 2_000_000_000L;
    while (clients.requestsInFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(clients.requestsInFlight()).as("the abandoned calls were cancelled").isZero();
    assertThat(simulator.stats(EndpointFamily.BTS).inFlight())
        .as("while the simulator is still working on them")
        .isPositive();
    // Let the simulator finish them, so the next test's in-flight figures start from zero.
    deadline = System.nanoTime() + 10_000_000_000L;
    while (simulator.stats(EndpointFamily.BTS).inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  @Test
  void aFailureInSequentialModeStopsImmediately() throws Exception {
    String user = userWithShopOrders(10, 50);
    simulator.knobs(EndpointFamily.BTS).failAfter(3, 1, 400);
    UpstreamException e = failure(clients.bts().fetchShopOrders(user, SINCE));
    assertThat(e.retryable()).isFalse();
    Thread.sleep(50);
    assertThat(simulator.requestCount(EndpointFamily.BTS)).isEqualTo(4);
  }

  @Test
  void aFailedListCallIsRetryable() {
    simulator.knobs(EndpointFamily.BTS).failNext(1, 429);
    UpstreamException e = failure(clients.bts().fetchShopOrders("user-1", SINCE));
    assertThat(e.statusCode()).isEqualTo(429);
    assertThat(e.retryable()).isTrue();
  }

  /**
   * The family's request count once nothing is in flight at the simulator and the count has not
   * moved for 500 ms; fails if that takes over 10 s, since requests would then keep coming.
   */
  private static long settle(EndpointFamily family) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long count = simulator.requestCount(family);
    long stableSince = System.nanoTime();
    while (System.nanoTime() < deadline) {
      Thread.sleep(20);
      long now = simulator.requestCount(family);
      if (now != count || simulator.stats(family).inFlight() > 0) {
        count = now;
        stableSince = System.nanoTime();
      } else if (System.nanoTime() - stableSince >= Duration.ofMillis(500).toNanos()) {
        return count;
      }
    }
    throw new AssertionError(family + " requests did not settle within 10 s, at " + count);
  }

  private static String userWithShopOrders(int min, int max) {
    for (int u = 0; ; u++) {
      int n = catalog.shopOrdersPerYear("user-" + u);
      if (n >= min && n <= max) {
        return "user-" + u;
      }
    }
  }
}
