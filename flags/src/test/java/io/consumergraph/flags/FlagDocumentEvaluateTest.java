package io.consumergraph.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class FlagDocumentEvaluateTest {

  private static final String BETA = "s3://prod-feature-flipper/ai-assistant-beta-users.csv";
  private static final String INTERNAL = "s3://prod-feature-flipper/internal-users.csv";

  private final FlagDocument doc = parse(FlagDocumentParserTest.FULL_YAML);

  @Test
  void inlineSegmentMatchNamesTheSegment() {
    IngestionDecision decision = doc.evaluate(FlagNames.INGESTION, "user-1", Set.of());
    assertThat(decision.enabled()).isTrue();
    assertThat(decision.metricLabel()).isEqualTo("segment:Team Users");
  }

  @Test
  void internalUsersMatchInlineOrThroughTheirList() {
    assertThat(doc.evaluate(FlagNames.INGESTION, "emp-1", Set.of()).metricLabel())
        .isEqualTo("internal");
    assertThat(doc.evaluate(FlagNames.INGESTION, "emp-2", Set.of(INTERNAL)).metricLabel())
        .isEqualTo("internal");
  }

  @Test
  void listSegmentMatchesOnlyWhenTheCallerSaysTheUserIsListed() {
    String user = userOutsideRollout(5);
    assertThat(doc.evaluate(FlagNames.INGESTION, user, Set.of(BETA)))
        .isEqualTo(IngestionDecision.segment("AI Assistant Beta Users"));
    assertThat(doc.evaluate(FlagNames.INGESTION, user, Set.of())).isEqualTo(IngestionDecision.NONE);
    assertThat(doc.evaluate(FlagNames.INGESTION, user, Set.of("s3://other/list.csv")))
        .isEqualTo(IngestionDecision.NONE);
  }

  @Test
  void rolloutEnablesUsersInsideThePercentage() {
    String inside =
        IntStream.range(0, 10_000)
            .mapToObj(i -> "u" + i)
            .filter(u -> Rollout.bucket(FlagNames.INGESTION, u) < 500)
            .findFirst()
            .orElseThrow();
    assertThat(doc.evaluate(FlagNames.INGESTION, inside, Set.of()))
        .isEqualTo(IngestionDecision.ROLLOUT);
    assertThat(doc.evaluate(FlagNames.INGESTION, userOutsideRollout(5), Set.of()).metricLabel())
        .isEqualTo("none");
  }

  @Test
  void disabledOrMissingFlagIsClosedEvenForListedUsers() {
    FlagDocument off =
        parse(
            FlagDocumentParserTest.FULL_YAML
                .replace("enabled: true          ", "enabled: false")
                .replaceFirst("enabled: true", "enabled: false"));
    assertThat(off.evaluate(FlagNames.INGESTION, "user-1", Set.of()))
        .isEqualTo(IngestionDecision.FLAG_OFF);
    assertThat(doc.evaluate("no_such_flag", "user-1", Set.of()).metricLabel())
        .isEqualTo("flag_off");
  }

  @Test
  void segmentRolloutBelowHundredAppliesTheHashWithinTheSegment() {
    FlagDocument half =
        parse(
            "flags: {f: {enabled: true, rollout: 0, segments: [{name: s, allowedIDs: '"
                + String.join(",", IntStream.range(0, 2000).mapToObj(i -> "m" + i).toList())
                + "', rollout: 50}]}}");
    long enabled =
        IntStream.range(0, 2000)
            .mapToObj(i -> "m" + i)
            .filter(u -> half.evaluate("f", u, Set.of()).enabled())
            .peek(u -> assertThat(Rollout.enabled("f", u, 50)).isTrue())
            .count();
    assertThat(enabled).isBetween(900L, 1100L);
    assertThat(half.evaluate("f", "not-a-member", Set.of()).enabled()).isFalse();
  }

  @Test
  void segmentsAreReportedInDocumentOrderBeforeTheRollout() {
    FlagDocument all =
        parse(
            "flags: {f: {enabled: true, rollout: 100, segments: ["
                + "{name: first, allowedIDs: [u]}, {name: second, allowedIDs: [u]}]}}");
    assertThat(all.evaluate("f", "u", Set.of()).metricLabel()).isEqualTo("segment:first");
    assertThat(all.evaluate("f", "other", Set.of()).metricLabel()).isEqualTo("rollout");
  }

  @Test
  void emptyOrMissingUserIsNeverEnabled() {
    FlagDocument all = parse("flags: {f: {enabled: true, rollout: 100}}");
    assertThat(all.evaluate("f", "", Set.of())).isEqualTo(IngestionDecision.NONE);
    assertThat(all.evaluate("f", null, Set.of())).isEqualTo(IngestionDecision.NONE);
  }

  @Test
  void killswitchesAreEngagedWhenEnabled() {
    assertThat(doc.isEnabled(FlagNames.RECEIPT_KILLSWITCH)).isFalse();
    assertThat(doc.isEnabled(FlagNames.FACTOID_KILLSWITCH)).isTrue();
    assertThat(doc.isEnabled("missing_killswitch")).isFalse();
  }

  private static String userOutsideRollout(double percentage) {
    return IntStream.range(0, 10_000)
        .mapToObj(i -> "outsider-" + i)
        .filter(u -> !Rollout.enabled(FlagNames.INGESTION, u, percentage))
        .findFirst()
        .orElseThrow();
  }

  static FlagDocument parse(String text) {
    try {
      return new FlagDocumentParser().parse(text);
    } catch (FlagDocumentException e) {
      throw new AssertionError(e.getMessage(), e);
    }
  }
}
