package io.consumergraph.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;
import io.consumergraph.simulator.CatalogCategory;
import io.consumergraph.simulator.CatalogProduct;
import io.consumergraph.simulator.CatalogRetailer;
import io.consumergraph.simulator.EndpointFamily;
import io.consumergraph.simulator.SyntheticCatalog;
import io.consumergraph.simulator.UpstreamSimulator;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The live-path clients (FPS, category, retailer) over real HTTP against the simulator. */
class CatalogClientsTest {

  private static UpstreamSimulator simulator;
  private static SyntheticCatalog catalog;

  private UpstreamClients clients;

  @BeforeAll
  static void startSimulator() throws Exception {
    simulator = UpstreamSimulator.start();
    catalog = simulator.catalog();
  }

  @AfterAll
  static void stopSimulator() {
    simulator.close();
  }

  @BeforeEach
  void newClients() {
    simulator.reset();
    clients = UpstreamClients.create(config().build());
  }

  @AfterEach
  void closeClients() {
    clients.close();
  }

  private static UpstreamConfig.Builder config() {
    return UpstreamConfig.builder()
        .baseUrl(simulator.baseUri().toString())
        .requestTimeout(Duration.ofSeconds(2));
  }

  @Test
  void productsCarryFpsFieldsAndTheCategoryHierarchy() throws Exception {
    List<String> fidos =
        List.of(catalog.fido(0), catalog.fido(1), catalog.fido(2), catalog.fido(3));
    Map<String, Product> products = get(clients.products().getProducts(fidos));
    assertThat(products).containsOnlyKeys(fidos);
    for (String fido : fidos) {
      CatalogProduct expected = catalog.product(fido);
      Product actual = products.get(fido);
      assertThat(actual.productId()).isEqualTo(fido);
      assertThat(actual.name()).isEqualTo(expected.name());
      assertThat(actual.brand()).isEqualTo(expected.brand());
      assertThat(actual.categoryId()).isEqualTo(expected.categoryId());
      List<String> hierarchy =
          expected.hasCategory() ? catalog.category(expected.categoryId()).hierarchy() : List.of();
      assertThat(actual.categoryHierarchy()).containsExactlyElementsOf(hierarchy);
    }
  }

  @Test
  void unknownFidosAreAbsentNotErrors() throws Exception {
    Map<String, Product> products =
        get(clients.products().getProducts(List.of("fido-unknown", catalog.fido(5), "")));
    assertThat(products).containsOnlyKeys(catalog.fido(5));
  }

  @Test
  void cachedProductsCostNoSecondRequest() throws Exception {
    List<String> fidos = categorizedFidos(6);
    get(clients.products().getProducts(fidos));
    long fps = simulator.requestCount(EndpointFamily.FPS);
    long categoryCalls = simulator.requestCount(EndpointFamily.CATEGORY);
    assertThat(fps).isEqualTo(1); // one batchGet for all misses

    Map<String, Product> again = get(clients.products().getProducts(fidos));
    assertThat(again).containsOnlyKeys(fidos);
    assertThat(simulator.requestCount(EndpointFamily.FPS)).isEqualTo(fps);
    assertThat(simulator.requestCount(EndpointFamily.CATEGORY)).isEqualTo(categoryCalls);

    // Only the miss goes to FPS; its category may already be cached.
    List<String> onePlus = new ArrayList<>(fidos);
    onePlus.add(catalog.fido(4_999));
    assertThat(get(clients.products().getProducts(onePlus))).hasSize(onePlus.size());
    assertThat(simulator.requestCount(EndpointFamily.FPS)).isEqualTo(fps + 1);
  }

  @Test
  void concurrentLookupsShareOneBatchGet() throws Exception {
    try (UpstreamClients batching = batchingClients()) {
      List<String> fidos = categorizedFidos(9);
      // Three purchases in enrichment at once, one FIDO shared by two of them.
      List<List<String>> lookups =
          List.of(fidos.subList(0, 4), fidos.subList(3, 7), fidos.subList(7, 9));
      List<CompletableFuture<Map<String, Product>>> answers = new ArrayList<>();
      for (List<String> lookup : lookups) {
        answers.add(batching.products().getProducts(lookup));
      }
      for (int i = 0; i < lookups.size(); i++) {
        assertThat(get(answers.get(i))).containsOnlyKeys(lookups.get(i));
      }
      assertThat(simulator.requestCount(EndpointFamily.FPS)).isEqualTo(1);
      assertThat(batching.products().cachedProducts()).isEqualTo(fidos.size());
    }
  }

  @Test
  void aFullBatchGoesWithoutWaitingForTheDelay() throws Exception {
    try (UpstreamClients batching =
        UpstreamClients.create(
            config().productBatchSize(3).productBatchDelay(Duration.ofHours(1)).build())) {
      List<String> fidos = categorizedFidos(3);
      // A lookup waiting for the hour would fail get()'s 5 s.
      assertThat(get(batching.products().getProducts(fidos))).containsOnlyKeys(fidos);
      assertThat(simulator.requestCount(EndpointFamily.FPS)).isEqualTo(1);
    }
  }

  @Test
  void zeroDelaySendsEachLookupsMissesOnTheirOwn() throws Exception {
    try (UpstreamClients unbatched =
        UpstreamClients.create(config().productBatchDelay(Duration.ZERO).build())) {
      simulator.knobs(EndpointFamily.FPS).latency(100, 0);
      List<String> fidos = categorizedFidos(4);
      CompletableFuture<Map<String, Product>> first =
          unbatched.products().getProducts(fidos.subList(0, 2));
      CompletableFuture<Map<String, Product>> second =
          unbatched.products().getProducts(fidos.subList(2, 4));
      assertThat(get(first)).containsOnlyKeys(fidos.subList(0, 2));
      assertThat(get(second)).containsOnlyKeys(fidos.subList(2, 4));
      assertThat(simulator.requestCount(EndpointFamily.FPS)).isEqualTo(2);
    }
  }

  @Test
  void aFailedBatchFailsEveryLookupWaitingOnItAndIsAskedAgainNextTime() throws Exception {
    try (UpstreamClients batching = batchingClients()) {
      simulator.knobs(EndpointFamily.FPS).failNext(1, 503);
      List<String> fidos = categorizedFidos(4);
      CompletableFuture<Map<String, Product>> first =
          batching.products().getProducts(fidos.subList(0, 2));
      CompletableFuture<Map<String, Product>> second =
          batching.products().getProducts(fidos.subList(1, 4));
      assertThat(failure(first).statusCode()).isEqualTo(503);
      assertThat(failure(second).statusCode()).isEqualTo(503);
      assertThat(batching.products().cachedProducts()).isZero();

      assertThat(get(batching.products().getProducts(fidos))).containsOnlyKeys(fidos);
      assertThat(simulator.requestCount(EndpointFamily.FPS)).isEqualTo(2);
    }
  }

  @Test
  void unknownFidosInABatchAreAbsentForEveryLookup() throws Exception {
    try (UpstreamClients batching = batchingClients()) {
      String known = catalog.fido(11);
      CompletableFuture<Map<String, Product>> first =
          batching.products().getProducts(List.of("fido-unknown", known));
      CompletableFuture<Map<String, Product>> second =
          batching.products().getProducts(List.of("fido-unknown"));
      assertThat(get(first)).containsOnlyKeys(known);
      assertThat(get(second)).isEmpty();
      assertThat(simulator.requestCount(EndpointFamily.FPS)).isEqualTo(1);
    }
  }

  @Test
  void categoriesAreLookedUpOncePerId() throws Exception {
    String leaf = catalog.product(categorizedFidos(1).get(0)).categoryId();
    CatalogCategory expected = catalog.category(leaf);
    Optional<Category> first = get(clients.categories().getCategory(leaf));
    assertThat(first).contains(new Category(leaf, expected.name(), expected.hierarchy()));
    get(clients.categories().getCategory(leaf));
    assertThat(get(clients.categories().getCategory("cat-nope"))).isEmpty();
    assertThat(simulator.requestCount(EndpointFamily.CATEGORY)).isEqualTo(2);
  }

  @Test
  void concurrentLookupsOfOneCategoryShareOneRequest() throws Exception {
    simulator.knobs(EndpointFamily.CATEGORY).latency(100, 0);
    List<CompletableFuture<Optional<Category>>> lookups = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      lookups.add(clients.categories().getCategory("cat-02"));
    }
    for (CompletableFuture<Optional<Category>> lookup : lookups) {
      assertThat(get(lookup)).map(Category::name).contains(catalog.category("cat-02").name());
    }
    assertThat(simulator.requestCount(EndpointFamily.CATEGORY)).isEqualTo(1);
  }

  @Test
  void retailersAreParsedCachedAndMissingOnesAreEmpty() throws Exception {
    CatalogRetailer expected = catalog.retailer(catalog.retailerId(7));
    Optional<Retailer> retailer = get(clients.retailers().getRetailer(expected.retailerId()));
    assertThat(retailer)
        .contains(new Retailer(expected.retailerId(), expected.name(), expected.storeType()));
    get(clients.retailers().getRetailer(expected.retailerId()));
    assertThat(get(clients.retailers().getRetailer("ret-unknown"))).isEmpty();
    assertThat(get(clients.retailers().getRetailer("ret-unknown"))).isEmpty();
    assertThat(simulator.requestCount(EndpointFamily.RETAILER)).isEqualTo(2);
  }

  @Test
  void throttlingAndServerErrorsAreRetryable() {
    simulator.knobs(EndpointFamily.FPS).failNext(1, 429).failNext(1, 503).failNext(1, 500);
    for (int status : new int[] {429, 503, 500}) {
      UpstreamException e = failure(clients.products().getProducts(List.of(catalog.fido(9))));
      assertThat(e.service()).isEqualTo(UpstreamService.FPS);
      assertThat(e.statusCode()).isEqualTo(status);
      assertThat(e.retryable()).isTrue();
    }
    // Failures are not cached: the next call succeeds.
    assertThat(clients.products().getProducts(List.of(catalog.fido(9))).join()).hasSize(1);
  }

  @Test
  void aFailingCategoryLookupFailsTheProductsAndCachesNothing() {
    simulator.knobs(EndpointFamily.CATEGORY).failNext(1, 503);
    UpstreamException e = failure(clients.products().getProducts(categorizedFidos(1)));
    assertThat(e.service()).isEqualTo(UpstreamService.CATEGORY);
    assertThat(e.retryable()).isTrue();
    assertThat(clients.products().cachedProducts()).isZero();
  }

  @Test
  void otherClientErrorsAreNotRetryable() {
    simulator.knobs(EndpointFamily.RETAILER).failNext(1, 400);
    UpstreamException e = failure(clients.retailers().getRetailer(catalog.retailerId(1)));
    assertThat(e.statusCode()).isEqualTo(400);
    assertThat(e.retryable()).isFalse();
  }

  record Exchange(UpstreamService service, long nanos, int status) {}

  @Test
  void everyFinishedExchangeIsToldToTheListenerWithItsServiceLatencyAndStatus() throws Exception {
    List<Exchange> seen = java.util.Collections.synchronizedList(new ArrayList<>());
    clients.listen((service, nanos, status) -> seen.add(new Exchange(service, nanos, status)));
    simulator.knobs(EndpointFamily.RETAILER).latency(200, 0);
    clients.retailers().getRetailer(catalog.retailerId(3)).get(5, TimeUnit.SECONDS);
    simulator.knobs(EndpointFamily.RETAILER).reset().failNext(1, 503);
    failure(clients.retailers().getRetailer(catalog.retailerId(4)));
    assertThat(clients.retailers().getRetailer("no-such-retailer").get(5, TimeUnit.SECONDS))
        .isEmpty();

    assertThat(seen).extracting(Exchange::service).containsOnly(UpstreamService.RETAILER);
    assertThat(seen).extracting(Exchange::status).containsExactly(200, 503, 404);
    assertThat(seen.get(0).nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
  }

  @Test
  void aTimeoutIsRetryable() {
    try (UpstreamClients impatient =
        UpstreamClients.create(config().requestTimeout(Duration.ofMillis(150)).build())) {
      // A client waiting for the answer would take 5 s (and failure()'s 5 s get would throw a
      // TimeoutException); the wide gap to the 3 s bound absorbs GC, cold class loading and load.
      simulator.knobs(EndpointFamily.RETAILER).latency(5_000, 0);
      long started = System.nanoTime();
      UpstreamException e = failure(impatient.retailers().getRetailer(catalog.retailerId(2)));
      assertThat(e.isTimeout()).isTrue();
      assertThat(e.retryable()).isTrue();
      assertThat(e.statusCode()).isEqualTo(UpstreamException.NO_STATUS);
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isLessThan(3_000);
    }
  }

  @Test
  void aRefusedConnectionIsRetryable() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    try (UpstreamClients nowhere =
        UpstreamClients.create(
            UpstreamConfig.builder().baseUrl("http://127.0.0.1:" + closedPort).build())) {
      UpstreamException e = failure(nowhere.retailers().getRetailer("ret-0001"));
      assertThat(e.retryable()).isTrue();
      assertThat(e.statusCode()).isEqualTo(UpstreamException.NO_STATUS);
    }
  }

  // ------------------------------------------------------------------ helpers

  /** Clients whose misses wait 200 ms for company: lookups sent together share a request. */
  private static UpstreamClients batchingClients() {
    return UpstreamClients.create(config().productBatchDelay(Duration.ofMillis(200)).build());
  }

  private static List<String> categorizedFidos(int n) {
    List<String> out = new ArrayList<>();
    for (int i = 0; out.size() < n; i++) {
      if (catalog.product(catalog.fido(i)).hasCategory()) {
        out.add(catalog.fido(i));
      }
    }
    return out;
  }

  static <T> T get(CompletableFuture<T> future) throws Exception {
    return future.get(5, TimeUnit.SECONDS);
  }

  static UpstreamException failure(CompletableFuture<?> future) {
    Throwable t = catchThrowable(() -> future.get(5, TimeUnit.SECONDS));
    assertThat(t).isInstanceOf(ExecutionException.class);
    UpstreamException e = UpstreamException.find(t);
    assertThat(e).as("cause of %s", t).isNotNull();
    assertThat(UpstreamException.isRetryable(t)).isEqualTo(e.retryable());
    return e;
  }
}
