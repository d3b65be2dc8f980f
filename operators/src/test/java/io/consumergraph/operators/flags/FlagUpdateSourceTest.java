package io.consumergraph.operators.flags;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.consumergraph.flags.FlagDocumentFetcher;
import io.consumergraph.operators.poll.PollingSplit;
import io.consumergraph.operators.testing.CapturedMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.connector.source.Boundedness;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagUpdateSourceTest {

  private static final FlagDocumentFetcher.Settings SETTINGS =
      FlagDocumentFetcher.Settings.defaults();

  @TempDir Path dir;

  @Test
  void splitAndEnumeratorStateKeepTheirBytesAndVersion() throws Exception {
    FlagUpdateSource source =
        FlagUpdateSource.continuous(
            dir.resolve("flags.yaml").toString(), SETTINGS, Duration.ofSeconds(30));

    var splits = source.getSplitSerializer();
    assertThat(splits.getVersion()).isEqualTo(1);
    assertThat(splits.serialize(new PollingSplit())).isEmpty();
    assertThat(splits.deserialize(1, new byte[0]).splitId()).isEqualTo("poll");
    var enumerator = source.getEnumeratorCheckpointSerializer();
    assertThat(enumerator.getVersion()).isEqualTo(1);
    assertThat(enumerator.serialize(true)).containsExactly(1);
    assertThat(enumerator.serialize(false)).containsExactly(0);
    assertThat(enumerator.deserialize(1, new byte[] {1})).isTrue();
  }

  @Test
  void aBoundedSourcePollsOnceAndAContinuousOneForever() {
    String location = dir.resolve("flags.yaml").toString();
    assertThat(FlagUpdateSource.once(location, SETTINGS).getBoundedness())
        .isEqualTo(Boundedness.BOUNDED);
    assertThat(
            FlagUpdateSource.continuous(location, SETTINGS, Duration.ofSeconds(1)).getBoundedness())
        .isEqualTo(Boundedness.CONTINUOUS_UNBOUNDED);
  }

  @Test
  void aMalformedLocationFailsWhenTheJobIsBuiltNotOnTheTaskManager() {
    assertThatThrownBy(() -> FlagUpdateSource.once("s3://bucket-without-key", SETTINGS))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aPollEmitsTheMembersOfAChangedListThenTheSnapshotAndCountsThem() throws Exception {
    Files.writeString(dir.resolve("beta.csv"), "user_id\nu1\nu2\n");
    Path document = dir.resolve("flags.yaml");
    Files.writeString(
        document,
        "flags: {consumer_graph_ingestion: {enabled: true, segments: "
            + "[{name: Beta, allowedS3IDs: beta.csv}]}}");
    CapturedMetrics metrics = new CapturedMetrics();
    try (var polls = new FlagUpdateSource.Polls(document.toString(), SETTINGS, Duration.ZERO)) {
      polls.open(metrics);

      List<FlagUpdate> updates = polls.poll();

      assertThat(updates).extracting(FlagUpdate::userId).containsExactly("u1", "u2", null);
      assertThat(updates.get(2).isSnapshot()).isTrue();
      assertThat(polls.poll()).as("nothing changed").containsExactly(FlagUpdate.tick());
    }
    assertThat(metrics.count("flags.polls")).isEqualTo(2);
    assertThat(metrics.count("flags.snapshots")).isEqualTo(1);
    assertThat(metrics.count("flags.idListMembers")).isEqualTo(2);
    assertThat(metrics.count("flags.failedPolls")).isZero();
    assertThat(metrics.value("flags.documentLoaded")).isEqualTo(1);
    assertThat(metrics.value("flags.consecutiveFailedPolls")).isEqualTo(0L);
  }

  @Test
  void betweenPollsTheSourceTicks() throws Exception {
    Path document = dir.resolve("flags.yaml");
    Files.writeString(document, "flags: {consumer_graph_ingestion: {enabled: true}}");
    CapturedMetrics metrics = new CapturedMetrics();
    try (var polls =
        new FlagUpdateSource.Polls(document.toString(), SETTINGS, Duration.ofHours(1))) {
      polls.open(metrics);

      assertThat(polls.poll()).singleElement().matches(FlagUpdate::isSnapshot);
      Files.writeString(document, "flags: {consumer_graph_ingestion: {enabled: false}}");
      List<FlagUpdate> next = polls.poll();

      assertThat(next).singleElement().matches(FlagUpdate::isTick).matches(FlagUpdate::isBroadcast);
    }
    assertThat(metrics.count("flags.polls"))
        .as("the document is polled at its interval")
        .isEqualTo(1);
  }

  @Test
  void failedPollsCountInARowUntilOneSucceeds() throws Exception {
    Path document = dir.resolve("flags.yaml");
    CapturedMetrics metrics = new CapturedMetrics();
    try (var polls = new FlagUpdateSource.Polls(document.toString(), SETTINGS, Duration.ZERO)) {
      polls.open(metrics);
      assertThat(polls.poll()).containsExactly(FlagUpdate.tick());
      assertThat(polls.poll()).containsExactly(FlagUpdate.tick());
      assertThat(metrics.count("flags.failedPolls")).isEqualTo(2);
      assertThat(metrics.value("flags.consecutiveFailedPolls")).isEqualTo(2L);
      assertThat(metrics.value("flags.documentLoaded")).isEqualTo(0);

      Files.writeString(document, "flags: {consumer_graph_ingestion: {enabled: true}}");
      assertThat(polls.poll()).hasSize(1);
    }
    assertThat(metrics.count("flags.polls")).isEqualTo(3);
    assertThat(metrics.count("flags.failedPolls")).isEqualTo(2);
    assertThat(metrics.value("flags.consecutiveFailedPolls")).isEqualTo(0L);
    assertThat(metrics.value("flags.documentLoaded")).isEqualTo(1);
  }

  @Test
  void itsMetricNamesAreThoseTheDashboardsUse() throws Exception {
    CapturedMetrics metrics = new CapturedMetrics();
    try (var polls =
        new FlagUpdateSource.Polls(dir.resolve("flags.yaml").toString(), SETTINGS, Duration.ZERO)) {
      polls.open(metrics);
    }
    assertThat(metrics.names())
        .containsExactlyInAnyOrder(
            "flags.polls",
            "flags.failedPolls",
            "flags.snapshots",
            "flags.idListMembers",
            "flags.consecutiveFailedPolls",
            "flags.documentLoaded");
  }
}
