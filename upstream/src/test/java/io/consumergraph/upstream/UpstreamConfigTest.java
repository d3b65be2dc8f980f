package io.consumergraph.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class UpstreamConfigTest {

  @Test
  void defaultsFollowTheSeeds() {
    UpstreamConfig c = UpstreamConfig.defaults();
    assertThat(c.purchaseHistoryRequestsPerSecond()).isEqualTo(10);
    assertThat(c.btsSequentialThreshold()).isEqualTo(50);
    assertThat(c.btsDetailConcurrency()).isEqualTo(5);
    assertThat(c.productServiceUrl()).isEqualTo("http://localhost:8090/fps");
    assertThat(c.btsUrl()).isEqualTo("http://localhost:8090");
  }

  @Test
  void baseUrlLaysOutTheServicesAsTheSimulatorServesThem() {
    UpstreamConfig c = UpstreamConfig.builder().baseUrl("http://h:1/").build();
    assertThat(c.productServiceUrl()).isEqualTo("http://h:1/fps");
    assertThat(c.categoryServiceUrl()).isEqualTo("http://h:1/category");
    assertThat(c.retailerServiceUrl()).isEqualTo("http://h:1/retailer");
    assertThat(c.purchaseHistoryUrl()).isEqualTo("http://h:1/purchase-history");
    assertThat(c.btsUrl()).isEqualTo("http://h:1");
  }

  @Test
  void survivesJavaSerialization() throws Exception {
    UpstreamConfig c = UpstreamConfig.builder().requestTimeout(Duration.ofMillis(750)).build();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(c);
    }
    try (ObjectInputStream in =
        new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
      assertThat(in.readObject()).isEqualTo(c);
    }
    assertThat(c.toBuilder().build()).isEqualTo(c);
  }

  @Test
  void rejectsInvalidSettings() {
    assertThatThrownBy(() -> UpstreamConfig.builder().btsDetailConcurrency(0).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> UpstreamConfig.builder().requestTimeout(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> UpstreamConfig.builder().productBatchDelay(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("productBatchDelay");
  }
}
