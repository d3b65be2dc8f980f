package io.consumergraph.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UpstreamHttpTest {

  @Test
  void pathSegmentsArePercentEncoded() {
    assertThat(UpstreamHttp.uri("http://h/v1", "users", "a b/c?d", "receipts"))
        .hasToString("http://h/v1/users/a%20b%2Fc%3Fd/receipts");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", ".", ".."})
  void aSegmentThatWouldNameAnotherResourceIsRefused(String segment) {
    assertThatThrownBy(() -> UpstreamHttp.uri("http://h/v1", "users", segment, "receipts"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cannot be a URL path segment");
  }
}
