package io.consumergraph.sink.neo4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class Neo4jSinkConfigTest {

  private static final URI URI_ = URI.create("neo4j://graph:7687");

  @Test
  void defaultsAreTheMeasuredProductionValues() {
    Neo4jSinkConfig config = Neo4jSinkConfig.of(URI_, "neo4j", "s3cret");

    assertThat(config.batchRows()).isEqualTo(1500);
    assertThat(config.maxBatchDelay()).isEqualTo(Duration.ofMillis(200));
    assertThat(config.maxRetries()).isEqualTo(8);
    assertThat(config.retryBackoffInitial()).isEqualTo(Duration.ofMillis(10));
    assertThat(config.retryBackoffMax()).isEqualTo(Duration.ofMillis(500));
    assertThat(config.unavailableTimeout()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.transactionTimeout()).isEqualTo(Duration.ofMinutes(1));
    assertThat(config.logOnly()).isFalse();
    assertThat(config.database()).isEqualTo("neo4j");
  }

  @Test
  void backoffDoublesFromTheInitialDelayUpToTheCap() {
    Neo4jSinkConfig config = Neo4jSinkConfig.withoutAuth(URI_);

    assertThat(config.retryBackoff(0)).isEqualTo(Duration.ofMillis(10));
    assertThat(config.retryBackoff(1)).isEqualTo(Duration.ofMillis(20));
    assertThat(config.retryBackoff(5)).isEqualTo(Duration.ofMillis(320));
    assertThat(config.retryBackoff(6)).isEqualTo(Duration.ofMillis(500));
    assertThat(config.retryBackoff(100)).isEqualTo(Duration.ofMillis(500));
  }

  @Test
  void toStringNeverShowsThePassword() {
    assertThat(Neo4jSinkConfig.of(URI_, "neo4j", "s3cret").toString())
        .doesNotContain("s3cret")
        .contains("password=***");
  }

  @Test
  void aUserWithoutPasswordTakesItFromTheEnvironmentOrFailsClearly() {
    Neo4jSinkConfig fromEnv = Neo4jSinkConfig.of(URI_, "neo4j", null);

    assertThat(fromEnv.resolvePassword(java.util.Map.of("NEO4J_PASSWORD", "from-env")))
        .isEqualTo("from-env");
    assertThat(Neo4jSinkConfig.of(URI_, "neo4j", "given").resolvePassword(java.util.Map.of()))
        .isEqualTo("given");
    assertThatThrownBy(() -> fromEnv.resolvePassword(java.util.Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("NEO4J_PASSWORD is not in the environment");
  }

  @Test
  void invalidBatchingIsRejected() {
    Neo4jSinkConfig config = Neo4jSinkConfig.withoutAuth(URI_);
    assertThatThrownBy(() -> config.withBatchRows(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.withMaxBatchDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.withMaxRetries(-1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.withUnavailableTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> config.withTransactionTimeout(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void whileNeo4jIsUnreachableRetriesBackOffFrom100MsTo10s() {
    assertThat(Neo4jSinkConfig.unavailableBackoff(0)).isEqualTo(Duration.ofMillis(100));
    assertThat(Neo4jSinkConfig.unavailableBackoff(3)).isEqualTo(Duration.ofMillis(800));
    assertThat(Neo4jSinkConfig.unavailableBackoff(40)).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void logOnlyNeedsNoServer() {
    assertThat(Neo4jSinkConfig.withoutAuth(URI_).withLogOnly(true).logOnly()).isTrue();
    new Neo4jSinkConfig(
        null,
        null,
        null,
        null,
        1,
        Duration.ofMillis(1),
        0,
        Duration.ofMillis(1),
        Duration.ofMillis(1),
        Duration.ofMillis(1),
        Duration.ofMillis(1),
        true);
  }
}
