package io.consumergraph.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlagDocumentParserTest {

  static final String FULL_YAML =
      """
      flags:
        consumer_graph_ingestion:
          enabled: true
          rollout: 5
          segments:
            - name: Internal Users
              internalUsers: true
              rollout: 100
            - name: Team Users
              allowedIDs: ["user-1", "user-2"]
              rollout: 100
            - name: AI Assistant Beta Users
              allowedS3IDs: s3://prod-feature-flipper/ai-assistant-beta-users.csv
              rollout: 100
        consumer_graph_receipt_killswitch: { enabled: false }
        consumer_graph_factoid_killswitch: { enabled: true }
      internalUsers:
        allowedIDs: ["emp-1"]
        allowedS3IDs: s3://prod-feature-flipper/internal-users.csv
      """;

  static final String FULL_JSON =
      """
      {"flags": {
         "consumer_graph_ingestion": {"enabled": true, "rollout": 5, "segments": [
           {"name": "Internal Users", "internalUsers": true, "rollout": 100},
           {"name": "Team Users", "allowedIDs": ["user-1", "user-2"], "rollout": 100},
           {"name": "AI Assistant Beta Users",
            "allowedS3IDs": "s3://prod-feature-flipper/ai-assistant-beta-users.csv", "rollout": 100}]},
         "consumer_graph_receipt_killswitch": {"enabled": false},
         "consumer_graph_factoid_killswitch": {"enabled": true}},
       "internalUsers": {"allowedIDs": ["emp-1"],
                         "allowedS3IDs": "s3://prod-feature-flipper/internal-users.csv"}}
      """;

  private final FlagDocumentParser parser = new FlagDocumentParser();

  @Test
  void yamlAndJsonFormsOfTheSameDocumentParseToEqualDocuments() throws Exception {
    FlagDocument yaml = parser.parse(FULL_YAML);
    FlagDocument json = parser.parse(FULL_JSON);

    assertThat(yaml).isEqualTo(json);
    FlagDocument.Flag ingestion = yaml.flag(FlagNames.INGESTION).orElseThrow();
    assertThat(ingestion.enabled()).isTrue();
    assertThat(ingestion.rollout()).isEqualTo(5.0);
    assertThat(ingestion.segments())
        .extracting(FlagDocument.Segment::name)
        .containsExactly("Internal Users", "Team Users", "AI Assistant Beta Users");
    assertThat(ingestion.segments().get(0).internalUsers()).isTrue();
    assertThat(ingestion.segments().get(1).allowedIds())
        .containsExactlyInAnyOrder("user-1", "user-2");
    assertThat(ingestion.segments().get(2).idList().key())
        .isEqualTo("s3://prod-feature-flipper/ai-assistant-beta-users.csv");
    assertThat(yaml.isEnabled(FlagNames.RECEIPT_KILLSWITCH)).isFalse();
    assertThat(yaml.isEnabled(FlagNames.FACTOID_KILLSWITCH)).isTrue();
    assertThat(yaml.internalUsers().allowedIds()).containsExactly("emp-1");
    assertThat(yaml.idLists())
        .extracting(IdListRef::key)
        .containsExactly(
            "s3://prod-feature-flipper/internal-users.csv",
            "s3://prod-feature-flipper/ai-assistant-beta-users.csv");
  }

  @Test
  void jsonIsDetectedByContentSoYamlStartingWithACommentIsStillYaml() throws Exception {
    FlagDocument doc = parser.parse("# comment\nflags: {f: {enabled: true, rollout: 12.5}}\n");
    assertThat(doc.flag("f").orElseThrow().rollout()).isEqualTo(12.5);
  }

  @Test
  void byteOrderMarkIsIgnored() throws Exception {
    byte[] content = ("\uFEFF" + FULL_JSON).getBytes(StandardCharsets.UTF_8);
    assertThat(parser.parse(content, null).flags()).hasSize(3);
  }

  @Test
  void defaultsAreRolloutZeroForFlagsAndHundredForSegments() throws Exception {
    FlagDocument doc =
        parser.parse("flags: {f: {enabled: true, segments: [{name: s, allowedIDs: [a]}]}}");
    assertThat(doc.flag("f").orElseThrow().rollout()).isZero();
    assertThat(doc.flag("f").orElseThrow().segments().get(0).rollout()).isEqualTo(100.0);
  }

  @Test
  void allowedIdsAcceptTheCommaSeparatedFormOfTheFlipperUiAndNumericIds() throws Exception {
    FlagDocument doc =
        parser.parse(
            "flags: {f: {enabled: true, segments: [{name: s, allowedIDs: ' u1, u2,,u3 '},"
                + " {name: t, allowedIDs: [12345, u4]}]}}");
    List<FlagDocument.Segment> segments = doc.flag("f").orElseThrow().segments();
    assertThat(segments.get(0).allowedIds()).containsExactlyInAnyOrder("u1", "u2", "u3");
    assertThat(segments.get(1).allowedIds()).containsExactlyInAnyOrder("12345", "u4");
  }

  @Test
  void bareListNamesResolveNextToTheDocument() throws Exception {
    String text =
        "flags: {f: {enabled: true, segments: [{name: s, allowedS3IDs: beta.csv},"
            + " {name: t, allowedS3IDs: 's3://other/x.csv'}]}}";
    FlagDocument doc =
        parser.parse(
            text.getBytes(StandardCharsets.UTF_8),
            DocumentLocation.parse("s3://prod-feature-flipper/flags/doc.yaml"));
    assertThat(doc.idLists())
        .extracting(IdListRef::key)
        .containsExactly("s3://prod-feature-flipper/flags/beta.csv", "s3://other/x.csv");
  }

  @Test
  void rolloutOutOfRangeNamesThePathAndValue() {
    String text =
        FULL_YAML.replace(
            "allowedS3IDs: s3://prod-feature-flipper/ai-assistant-beta-users.csv\n        rollout: 100",
            "allowedS3IDs: s3://prod-feature-flipper/ai-assistant-beta-users.csv\n        rollout: 140");
    assertThat(errorsOf(text))
        .containsExactly(
            "flags.consumer_graph_ingestion.segments[2].rollout: 140 is not within 0..100");
  }

  @Test
  void everyProblemIsReportedWithItsPath() {
    String text =
        """
        flags:
          a:
            enabled: "yes"
            rollout: -1
            rolout: 5
            segments:
              - name: ""
                allowedIDs: [x]
              - name: both
                allowedIDs: [x]
                allowedS3IDs: s3://b/k.csv
              - name: none
              - name: dup
                allowedIDs: []
              - name: dup
                allowedIDs: [y]
              - name: dup
                allowedIDs: [z]
              - name: internal
                internalUsers: true
              - name: over
                allowedIDs: [q]
                rollout: 100.5
              - name: text
                allowedIDs: [q]
                rollout: "50"
              - name: badlist
                allowedS3IDs: "s3://bucket-only"
              - name: badid
                allowedIDs: [ok, {x: 1}]
          b: {rollout: 1.5}
          c: [1]
          d:
            enabled: true
            segments: {name: s}
        extra: 1
        """;
    assertThat(errorsOf(text))
        .containsExactly(
            "extra: unknown field (known: flags, internalUsers)",
            "flags.a.rolout: unknown field (known: enabled, rollout, segments)",
            "flags.a.enabled: expected true or false, got \"yes\"",
            "flags.a.rollout: -1 is not within 0..100",
            "flags.a.segments[0].name: expected a non-blank string, got \"\"",
            "flags.a.segments[1]: exactly one of internalUsers: true, allowedIDs, allowedS3IDs"
                + " must be set, found 2",
            "flags.a.segments[2]: exactly one of internalUsers: true, allowedIDs, allowedS3IDs"
                + " must be set, found 0",
            "flags.a.segments[3].allowedIDs: lists no ids",
            "flags.a.segments[5].name: \"dup\" is used by an earlier segment of this flag",
            "flags.a.segments[6].internalUsers: is true but the document's top-level"
                + " internalUsers lists nobody",
            "flags.a.segments[7].rollout: 100.5 is not within 0..100",
            "flags.a.segments[8].rollout: expected a number 0..100, got \"50\"",
            "flags.a.segments[9].allowedS3IDs: an S3 location needs s3://bucket/key, got s3://bucket-only",
            "flags.a.segments[10].allowedIDs[1]: expected a non-blank id, got a mapping",
            "flags.b.enabled: is required (true or false)",
            "flags.c: expected a mapping with 'enabled', got a list",
            "flags.d.segments: expected a list, got a mapping");
  }

  @Test
  void structuralProblemsAreReported() {
    assertThat(errorsOf("")).containsExactly("(document): is empty");
    assertThat(errorsOf("  \n")).containsExactly("(document): is empty");
    assertThat(errorsOf("- a\n- b\n"))
        .containsExactly("(document): expected a mapping with 'flags', got a list");
    assertThat(errorsOf("internalUsers: {allowedIDs: [a]}")).containsExactly("flags: is required");
    assertThat(errorsOf("flags: {}"))
        .containsExactly("flags: has no flags; a document must define at least one flag");
    assertThat(errorsOf("flags: [a]"))
        .containsExactly("flags: expected a mapping of flag name to flag, got a list");
    assertThat(errorsOf("flags: {f: {enabled: true}}\ninternalUsers: [a]"))
        .containsExactly(
            "internalUsers: expected a mapping with allowedIDs/allowedS3IDs, got a list");
    assertThat(errorsOf("flags: {f: {enabled: true}}\ninternalUsers: {allowedIDs: 5, x: 1}"))
        .containsExactly(
            "internalUsers.x: unknown field (known: allowedIDs, allowedS3IDs)",
            "internalUsers.allowedIDs: expected a list of ids or a comma-separated string, got 5");
  }

  @Test
  void syntaxErrorsNameTheFormatAndPosition() {
    assertThat(errorsOf("{\"flags\": {\"f\": {\"enabled\": true,}}}").get(0))
        .startsWith("(document): not valid JSON at line 1, column 34:");
    assertThat(errorsOf("flags:\n  f: {enabled: true\n").get(0))
        .startsWith("(document): not valid YAML at line");
  }

  @Test
  void duplicateKeysAreRejectedInBothFormats() {
    assertThat(errorsOf("flags:\n  f: {enabled: true}\n  f: {enabled: false}\n").get(0))
        .contains("Duplicate field 'f'");
    assertThat(
            errorsOf("{\"flags\": {\"f\": {\"enabled\": true}, \"f\": {\"enabled\": true}}}")
                .get(0))
        .contains("Duplicate field 'f'");
  }

  @Test
  void tooManyInlineIdsPointToAllowedS3Ids() {
    StringBuilder ids = new StringBuilder();
    for (int i = 0; i <= FlagDocumentParser.MAX_INLINE_IDS; i++) {
      ids.append(i == 0 ? "" : ",").append("u").append(i);
    }
    assertThat(
            errorsOf(
                "flags: {f: {enabled: true, segments: [{name: s, allowedIDs: '" + ids + "'}]}}"))
        .containsExactly(
            "flags.f.segments[0].allowedIDs: 10001 inline ids; at most 10000 are allowed inline,"
                + " put larger lists in a file referenced by allowedS3IDs");
  }

  @Test
  void unknownFieldsCanBeWarnedOrIgnoredInsteadOfRejected() throws Exception {
    String text = "flags: {f: {enabled: true, description: hi}}\nowner: team";
    assertThat(new FlagDocumentParser(FlagDocumentParser.UnknownFields.WARN).parse(text).flags())
        .containsKey("f");
    assertThat(new FlagDocumentParser(FlagDocumentParser.UnknownFields.IGNORE).parse(text).flags())
        .containsKey("f");
    assertThat(errorsOf(text)).hasSize(2);
  }

  private List<String> errorsOf(String text) {
    try {
      parser.parse(text);
    } catch (FlagDocumentException e) {
      assertThat(e.getMessage()).startsWith("invalid flag document: ");
      return e.errors();
    }
    throw new AssertionError("document was accepted: " + text);
  }
}
