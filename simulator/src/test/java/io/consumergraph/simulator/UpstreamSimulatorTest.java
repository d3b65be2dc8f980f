package io.consumergraph.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UpstreamSimulatorTest {

  private static final long DAY = 24L * 60 * 60 * 1000;
  private static final long NOW = 1_790_000_000_000L;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static UpstreamSimulator simulator;
  private static SyntheticCatalog catalog;
  private static HttpClient http;

  @BeforeAll
  static void start() throws IOException {
    simulator = UpstreamSimulator.start();
    simulator.clock(() -> NOW);
    catalog = simulator.catalog();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterAll
  static void stop() {
    simulator.close();
  }

  @BeforeEach
  void reset() {
    simulator.reset();
  }

  @Test
  void fpsServesAProductWithItsCategoryOnlyWhenItHasOne() throws Exception {
    CatalogProduct categorized = firstProduct(true);
    JsonNode body = getJson("/fps/v1/products/" + categorized.fido(), 200);
    assertThat(body.get("fido").asText()).isEqualTo(categorized.fido());
    assertThat(body.get("name").asText()).isEqualTo(categorized.name());
    assertThat(body.get("brand").asText()).isEqualTo(categorized.brand());
    assertThat(body.get("categoryId").asText()).isEqualTo(categorized.categoryId());

    CatalogProduct plain = firstProduct(false);
    assertThat(getJson("/fps/v1/products/" + plain.fido(), 200).has("categoryId")).isFalse();
    getJson("/fps/v1/products/fido-nope", 404);
  }

  @Test
  void fpsBatchGetSplitsFoundAndNotFound() throws Exception {
    String body = "{\"fidos\":[\"" + catalog.fido(1) + "\",\"nope\",\"" + catalog.fido(2) + "\"]}";
    HttpResponse<String> response = post("/fps/v1/products:batchGet", body);
    assertThat(response.statusCode()).isEqualTo(200);
    JsonNode json = JSON.readTree(response.body());
    assertThat(json.get("products")).hasSize(2);
    assertThat(json.get("products").get(0).get("fido").asText()).isEqualTo(catalog.fido(1));
    assertThat(json.get("notFound").get(0).asText()).isEqualTo("nope");
    assertThat(post("/fps/v1/products:batchGet", "{oops").statusCode()).isEqualTo(400);
    assertThat(simulator.requestCount(EndpointFamily.FPS)).isEqualTo(2);
  }

  @Test
  void categoryAndRetailerServeTheirRecords() throws Exception {
    String leaf = firstProduct(true).categoryId();
    JsonNode category = getJson("/category/v1/categories/" + leaf, 200);
    assertThat(category.get("categoryId").asText()).isEqualTo(leaf);
    assertThat(category.get("name").asText()).isEqualTo(catalog.category(leaf).name());
    List<String> hierarchy = new ArrayList<>();
    category.get("hierarchy").forEach(n -> hierarchy.add(n.asText()));
    assertThat(hierarchy).isEqualTo(catalog.category(leaf).hierarchy());
    getJson("/category/v1/categories/cat-99", 404);

    CatalogRetailer r = catalog.retailer(catalog.retailerId(3));
    JsonNode retailer = getJson("/retailer/v1/retailers/" + r.retailerId(), 200);
    assertThat(retailer.get("retailerId").asText()).isEqualTo(r.retailerId());
    assertThat(retailer.get("name").asText()).isEqualTo(r.name());
    assertThat(retailer.get("storeType").asText()).isEqualTo(r.storeType());
    getJson("/retailer/v1/retailers/ret-x", 404);
  }

  @Test
  void purchaseHistoryPagesThroughTheCatalogsReceipts() throws Exception {
    String user = userWithReceipts(30);
    long since = NOW - 365 * DAY;
    List<HistoryReceipt> expected = catalog.receiptsFor(user, since, NOW);
    List<String> ids = new ArrayList<>();
    String token = null;
    int pages = 0;
    do {
      String path =
          "/purchase-history/v1/users/"
              + user
              + "/receipts?startTimeMs="
              + since
              + "&pageSize=7"
              + (token == null ? "" : "&pageToken=" + token);
      JsonNode page = getJson(path, 200);
      pages++;
      page.get("receipts").forEach(r -> ids.add(r.get("receiptId").asText()));
      token = page.has("nextPageToken") ? page.get("nextPageToken").asText() : null;
    } while (token != null);
    assertThat(ids).isEqualTo(expected.stream().map(HistoryReceipt::receiptId).toList());
    assertThat(pages).isEqualTo((expected.size() + 6) / 7);

    JsonNode first =
        getJson("/purchase-history/v1/users/" + user + "/receipts?startTimeMs=" + since, 200);
    assertThat(first.get("receipts")).hasSize(Math.min(25, expected.size()));
    JsonNode item = first.get("receipts").get(0).get("items").get(0);
    assertThat(item.has("fido") && item.has("description") && item.has("quantity")).isTrue();
    getJson("/purchase-history/v1/users/" + user + "/receipts", 400);
    getJson("/purchase-history/v1/users/" + user + "/receipts?startTimeMs=0&pageSize=0", 400);
  }

  @Test
  void btsListsTransactionsAndServesTheirDetails() throws Exception {
    String user = userWithShopOrders(5);
    long since = NOW - 365 * DAY;
    List<ShopOrder> expected = catalog.shopOrdersFor(user, since, NOW);
    JsonNode list = getJson("/user/" + user + "/transaction?startTimeMs=" + since, 200);
    assertThat(list.get("transactions")).hasSize(expected.size());
    JsonNode first = list.get("transactions").get(0);
    assertThat(first.get("buttonOrderId").asText()).isEqualTo(expected.get(0).buttonOrderId());
    assertThat(first.get("status").asText()).isEqualTo("FINALIZED");

    JsonNode detail =
        getJson("/internal/transaction/" + expected.get(0).buttonOrderId() + "/button", 200);
    assertThat(detail.get("userId").asText()).isEqualTo(user);
    assertThat(detail.get("createdAtMs").asLong()).isEqualTo(expected.get(0).createdAtMs());
    assertThat(detail.get("retailerName").asText()).isEqualTo(expected.get(0).retailerName());
    assertThat(detail.get("lineItems")).hasSize(expected.get(0).lineItems().size());
    assertThat(detail.get("lineItems").get(0).get("fido").asText())
        .isEqualTo(expected.get(0).lineItems().get(0).fido());
    getJson("/internal/transaction/bo-1-" + userWithShopOrders(0) + "/button", 404);
  }

  @Test
  void failNextAnswersExactlyThatManyRequestsWithTheStatus() throws Exception {
    simulator.knobs(EndpointFamily.RETAILER).failNext(2, 503).failNext(1, 429);
    String path = "/retailer/v1/retailers/" + catalog.retailerId(0);
    getJson(path, 503);
    getJson(path, 503);
    getJson(path, 429);
    getJson(path, 200);
    FamilyStats stats = simulator.stats(EndpointFamily.RETAILER);
    assertThat(stats.requests()).isEqualTo(4);
    assertThat(stats.injectedFailures()).isEqualTo(3);
    assertThat(simulator.requestCount(EndpointFamily.FPS)).isZero();
  }

  @Test
  void ratesAndLatencyApply() throws Exception {
    simulator.knobs(EndpointFamily.CATEGORY).throttleRate(1.0);
    getJson("/category/v1/categories/cat-01", 429);
    simulator.knobs(EndpointFamily.CATEGORY).throttleRate(0).errorRate(1.0);
    getJson("/category/v1/categories/cat-01", 503);
    simulator.knobs(EndpointFamily.CATEGORY).errorRate(0).latency(120, 0);
    long started = System.nanoTime();
    getJson("/category/v1/categories/cat-01", 200);
    assertThat((System.nanoTime() - started) / 1_000_000).isGreaterThanOrEqualTo(120);
  }

  @Test
  void fastFailuresAreAnsweredWhileSlowerCallsAreStillInFlight() throws Exception {
    simulator.knobs(EndpointFamily.BTS).latency(1500, 0).failAfter(1, 1, 503).fastFailures(true);
    CompletableFuture<HttpResponse<String>> slow =
        http.sendAsync(get("/user/u1/transaction?startTimeMs=0"), body());
    waitUntilInFlight(EndpointFamily.BTS, 1);
    HttpResponse<String> failed = http.send(get("/user/u2/transaction?startTimeMs=0"), body());
    assertThat(failed.statusCode()).isEqualTo(503);
    assertThat(simulator.stats(EndpointFamily.BTS).inFlight())
        .as("the first call, served with the latency, is still running")
        .isEqualTo(1);
    assertThat(slow.get().statusCode()).isEqualTo(200);
  }

  @Test
  void maxInFlightCountsConcurrentRequests() throws Exception {
    // Long enough that all 4 overlap even if opening their connections is slow on a loaded host.
    simulator.knobs(EndpointFamily.BTS).latency(1_000, 0);
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      calls.add(http.sendAsync(get("/user/u" + i + "/transaction?startTimeMs=0"), body()));
    }
    for (CompletableFuture<HttpResponse<String>> call : calls) {
      assertThat(call.get().statusCode()).isEqualTo(200);
    }
    assertThat(simulator.maxInFlight(EndpointFamily.BTS)).isEqualTo(4);
    assertThat(simulator.stats(EndpointFamily.BTS).inFlight()).isZero();
  }

  @Test
  void knobsAndStatsAreAvailableOverHttp() throws Exception {
    HttpResponse<String> set =
        post(
            "/_sim/knobs",
            "{\"fps\":{\"latencyMs\":5,\"failNext\":1,\"failStatus\":500,\"fastFailures\":true}}");
    assertThat(set.statusCode()).isEqualTo(200);
    assertThat(simulator.knobs(EndpointFamily.FPS).latencyMs()).isEqualTo(5);
    assertThat(simulator.knobs(EndpointFamily.FPS).fastFailures()).isTrue();
    getJson("/fps/v1/products/" + catalog.fido(0), 500);
    getJson("/fps/v1/products/" + catalog.fido(0), 200);
    JsonNode stats = getJson("/_sim/stats", 200);
    assertThat(stats.get("fps").get("requests").asLong()).isEqualTo(2);
    assertThat(stats.get("fps").get("injectedFailures").asLong()).isEqualTo(1);
    assertThat(post("/_sim/knobs", "{\"nope\":{}}").statusCode()).isEqualTo(400);
    assertThat(post("/_sim/reset", "").statusCode()).isEqualTo(200);
    assertThat(simulator.requestCount(EndpointFamily.FPS)).isZero();
    assertThat(simulator.knobs(EndpointFamily.FPS).latencyMs()).isZero();
  }

  // ------------------------------------------------------------------ helpers

  private static void waitUntilInFlight(EndpointFamily family, int n) throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (simulator.stats(family).inFlight() < n && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    assertThat(simulator.stats(family).inFlight()).isEqualTo(n);
  }

  private static CatalogProduct firstProduct(boolean withCategory) {
    for (int i = 0; ; i++) {
      CatalogProduct p = catalog.product(catalog.fido(i));
      if (p.hasCategory() == withCategory) {
        return p;
      }
    }
  }

  private static String userWithReceipts(int atLeast) {
    for (int u = 0; ; u++) {
      if (catalog.receiptsPerYear("user-" + u) >= atLeast) {
        return "user-" + u;
      }
    }
  }

  /** A user with at least this many shop orders a year, or with none for 0. */
  private static String userWithShopOrders(int atLeast) {
    for (int u = 0; ; u++) {
      int n = catalog.shopOrdersPerYear("user-" + u);
      if (atLeast == 0 ? n == 0 : n >= atLeast) {
        return "user-" + u;
      }
    }
  }

  private static HttpRequest get(String path) {
    return HttpRequest.newBuilder(URI.create(simulator.baseUri() + path)).GET().build();
  }

  private static HttpResponse.BodyHandler<String> body() {
    return HttpResponse.BodyHandlers.ofString();
  }

  private static JsonNode getJson(String path, int expectedStatus) throws Exception {
    HttpResponse<String> response = http.send(get(path), body());
    assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(expectedStatus);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    return JSON.readTree(response.body());
  }

  private static HttpResponse<String> post(String path, String json) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(simulator.baseUri() + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build();
    return http.send(request, body());
  }
}
