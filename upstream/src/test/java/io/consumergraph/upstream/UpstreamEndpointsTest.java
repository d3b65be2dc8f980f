package io.consumergraph.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

class UpstreamEndpointsTest {

  @Test
  void oneHostLaysOutTheServicesAsTheConfigsBaseUrlDoes() {
    UpstreamEndpoints e = UpstreamEndpoints.onOneHost(URI.create("http://h:1/"));
    UpstreamConfig c = UpstreamConfig.builder().baseUrl("http://h:1/").build();
    assertThat(e.product()).hasToString(c.productServiceUrl());
    assertThat(e.category()).hasToString(c.categoryServiceUrl());
    assertThat(e.retailer()).hasToString(c.retailerServiceUrl());
    assertThat(e.purchaseHistory()).hasToString(c.purchaseHistoryUrl());
    assertThat(e.bts()).hasToString(c.btsUrl());
  }
}
