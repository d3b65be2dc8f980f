package io.consumergraph.upstream;

import java.net.URI;

/**
 * Where each upstream service lives: the base URL its client appends the API paths to (see {@link
 * UpstreamConfig} for the paths).
 */
public record UpstreamEndpoints(
    URI product, URI category, URI retailer, URI purchaseHistory, URI bts) {

  /**
   * Every service on one host, laid out as the upstream simulator serves them: {@code {base}/fps},
   * {@code {base}/category}, {@code {base}/retailer}, {@code {base}/purchase-history} and BTS at
   * {@code {base}}.
   */
  public static UpstreamEndpoints onOneHost(URI base) {
    String b = base.toString().replaceAll("/$", "");
    return new UpstreamEndpoints(
        URI.create(b + "/fps"),
        URI.create(b + "/category"),
        URI.create(b + "/retailer"),
        URI.create(b + "/purchase-history"),
        URI.create(b));
  }
}
