package io.consumergraph.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FlagSnapshotTest {

  private static final String BETA = "s3://prod-feature-flipper/ai-assistant-beta-users.csv";

  @Test
  void noDocumentYetClosesIngestionAndEngagesNoKillswitch() {
    FlagSnapshot none = FlagSnapshot.noDocumentYet();
    assertThat(none.hasDocument()).isFalse();
    assertThat(none.evaluate(FlagNames.INGESTION, "emp-1", Set.of()))
        .isEqualTo(IngestionDecision.NO_DOCUMENT);
    assertThat(none.evaluate(FlagNames.INGESTION, "emp-1", Set.of()).metricLabel())
        .isEqualTo("no_document");
    assertThat(none.killswitchEngaged(FlagNames.RECEIPT_KILLSWITCH)).isFalse();
    assertThat(FlagSnapshot.fromJson(none.toJson()).hasDocument()).isFalse();
  }

  @Test
  void jsonRoundTripKeepsDocumentVersionsAndLocation() throws Exception {
    FlagSnapshot snapshot = snapshot(Map.of(BETA, new ContentVersion("etag:\"v2\"")));
    FlagSnapshot back = FlagSnapshot.fromJson(snapshot.toJson());
    assertThat(back).isEqualTo(snapshot);
    assertThat(back.killswitchEngaged(FlagNames.FACTOID_KILLSWITCH)).isTrue();
  }

  @Test
  void onlyTheCurrentListVersionMakesAUserAMember() throws Exception {
    FlagSnapshot snapshot = snapshot(Map.of(BETA, new ContentVersion("etag:\"v2\"")));
    String outsider = "outsider-x";
    assertThat(Rollout.enabled(FlagNames.INGESTION, outsider, 5)).isFalse();

    assertThat(
            snapshot.evaluateWithStoredVersions(
                FlagNames.INGESTION, outsider, Map.of(BETA, List.of("etag:\"v1\"", "etag:\"v2\""))))
        .isEqualTo(IngestionDecision.segment("AI Assistant Beta Users"));
    // Listed only in the previous version: removed from the list.
    assertThat(
            snapshot.evaluateWithStoredVersions(
                FlagNames.INGESTION, outsider, Map.of(BETA, List.of("etag:\"v1\""))))
        .isEqualTo(IngestionDecision.NONE);
    // A list that never loaded makes nobody a member.
    FlagSnapshot unloaded = snapshot(Map.of());
    assertThat(unloaded.currentLists(Map.of(BETA, List.of("etag:\"v2\"")))).isEmpty();
  }

  private static FlagSnapshot snapshot(Map<String, ContentVersion> lists) throws Exception {
    String text = FlagDocumentParserTest.FULL_YAML;
    DocumentLocation location = DocumentLocation.parse("s3://prod-feature-flipper/flags.yaml");
    FlagDocument doc =
        new FlagDocumentParser().parse(text.getBytes(StandardCharsets.UTF_8), location);
    return new FlagSnapshot(
        doc,
        text,
        location,
        new ContentVersion("etag:\"d1\""),
        lists,
        Instant.parse("2026-11-23T10:00:00Z"));
  }
}
