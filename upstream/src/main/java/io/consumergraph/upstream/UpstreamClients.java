package io.consumergraph.upstream;

/**
 * All upstream clients over one shared {@link UpstreamHttp}; create one per operator instance (in
 * {@code open()}) and close it in {@code close()}.
 */
public final class UpstreamClients implements AutoCloseable {

  private final UpstreamHttp http;
  private final CategoryServiceClient categories;
  private final ProductServiceClient products;
  private final RetailerServiceClient retailers;
  private final PurchaseHistoryClient purchaseHistory;
  private final BtsClient bts;

  private UpstreamClients(UpstreamConfig config) {
    this.http = new UpstreamHttp(config.requestTimeout(), config.ioThreads());
    this.categories = new CategoryServiceClient(config, http);
    this.products = new ProductServiceClient(config, http, categories);
    this.retailers = new RetailerServiceClient(config, http);
    this.purchaseHistory = new PurchaseHistoryClient(config, http);
    this.bts = new BtsClient(config, http);
  }

  public static UpstreamClients create(UpstreamConfig config) {
    return new UpstreamClients(config);
  }

  public ProductServiceClient products() {
    return products;
  }

  public CategoryServiceClient categories() {
    return categories;
  }

  public RetailerServiceClient retailers() {
    return retailers;
  }

  public PurchaseHistoryClient purchaseHistory() {
    return purchaseHistory;
  }

  public BtsClient bts() {
    return bts;
  }

  /** Tells {@code listener} of every exchange these clients finish (latency, status). */
  public void listen(ExchangeListener listener) {
    http.listen(listener);
  }

  /** Upstream HTTP requests in flight on these clients (a gauge for the operator's metrics). */
  public int requestsInFlight() {
    return http.inFlight();
  }

  @Override
  public void close() {
    http.close();
  }
}
