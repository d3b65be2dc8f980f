package io.consumergraph.flags;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlagPollerTest {

  @TempDir Path dir;

  private Path document;
  private Path list;
  private final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T10:00:00Z"));
  private final Recorder recorder = new Recorder();
  private FlagDocumentFetcher fetcher;
  private FlagPoller poller;

  @BeforeEach
  void setUp() {
    document = dir.resolve("flags.yaml");
    list = dir.resolve("beta.csv");
    fetcher = FlagDocumentFetcher.create(FlagDocumentFetcher.Settings.defaults());
    poller = new FlagPoller(DocumentLocation.file(document), fetcher, recorder, clock);
  }

  @AfterEach
  void tearDown() {
    fetcher.close();
  }

  @Test
  void beforeAnyGoodDocumentItReportsNoDocumentYet() {
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.FAILED);

    assertThat(poller.current().hasDocument()).isFalse();
    assertThat(recorder.snapshots).isEmpty();
    assertThat(recorder.failures).hasSize(1);
    assertThat(recorder.failures.get(0)).contains("flags.yaml: no such file").endsWith("false");
  }

  @Test
  void changedDocumentIsPublishedOnceAndUnchangedIsNot() throws IOException {
    write(document, "flags: {consumer_graph_ingestion: {enabled: true, rollout: 5}}");
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.CHANGED);
    clock.advance(Duration.ofSeconds(30));
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.UNCHANGED);

    write(document, "flags: {consumer_graph_ingestion: {enabled: true, rollout: 50}}");
    clock.advance(Duration.ofSeconds(30));
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.CHANGED);

    assertThat(recorder.snapshots).hasSize(2);
    assertThat(
            recorder.snapshots.get(1).document().flag(FlagNames.INGESTION).orElseThrow().rollout())
        .isEqualTo(50.0);
    assertThat(recorder.snapshots.get(1).loadedAt())
        .isEqualTo(Instant.parse("2026-11-23T10:01:00Z"));
  }

  @Test
  void badDocumentKeepsTheLastGoodOneAndSaysWhy() throws IOException {
    write(document, "flags: {consumer_graph_ingestion: {enabled: true, rollout: 5}}");
    poller.pollOnce();
    FlagSnapshot good = poller.current();

    write(document, "flags: {consumer_graph_ingestion: {enabled: true, rollout: 140}}");
    clock.advance(Duration.ofSeconds(30));
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.FAILED);
    write(document, "flags: {}");
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.FAILED);
    Files.delete(document);
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.FAILED);

    assertThat(poller.current()).isSameAs(good);
    assertThat(recorder.snapshots).hasSize(1);
    assertThat(recorder.failures)
        .hasSize(3)
        .allSatisfy(failure -> assertThat(failure).endsWith("true"));
    assertThat(recorder.failures.get(0))
        .contains("flags.consumer_graph_ingestion.rollout: 140 is not within 0..100");
    assertThat(recorder.failures.get(1)).contains("flags: has no flags");
    assertThat(recorder.failures.get(2)).contains("no such file");
  }

  @Test
  void aDocumentThatStaysBadIsLoggedAtErrorWhenItStartsOrChangesNotEveryPoll() throws IOException {
    write(document, "flags: {consumer_graph_ingestion: {enabled: true, rollout: 5}}");
    poller.pollOnce();
    try (LogCapture log = new LogCapture(FlagPoller.class)) {
      write(document, "flags: {consumer_graph_ingestion: {enabled: true, rollout: 140}}");
      for (int i = 0; i < 5; i++) {
        assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.FAILED);
      }
      assertThat(log.at(org.apache.logging.log4j.Level.ERROR))
          .singleElement()
          .asString()
          .contains("rollout: 140 is not within 0..100", "keeping flag document");
      assertThat(log.at(org.apache.logging.log4j.Level.DEBUG)).hasSize(4);

      write(document, "flags: {}");
      poller.pollOnce();
      assertThat(log.at(org.apache.logging.log4j.Level.ERROR))
          .hasSize(2)
          .last()
          .asString()
          .contains("has no flags");

      write(document, "flags: {consumer_graph_ingestion: {enabled: true, rollout: 6}}");
      assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.CHANGED);
      assertThat(log.at(org.apache.logging.log4j.Level.INFO))
          .anySatisfy(l -> assertThat(l).contains("polls cleanly again after 6 failed poll(s)"));

      // Failing the same way as before the recovery is news again.
      write(document, "flags: {}");
      poller.pollOnce();
      assertThat(log.at(org.apache.logging.log4j.Level.ERROR)).hasSize(3);
    }
    assertThat(recorder.failures).as("every failed poll still reaches the listener").hasSize(7);
  }

  @Test
  void idListMembersAreStreamedBeforeTheSnapshotThatMakesTheirVersionCurrent() throws IOException {
    write(list, "user_id\nu1\nu2\nu1\n");
    write(
        document,
        "flags: {consumer_graph_ingestion: {enabled: true, rollout: 0, segments: "
            + "[{name: Beta, allowedS3IDs: beta.csv}]}}");
    poller.pollOnce();

    String key = DocumentLocation.file(list).toString();
    assertThat(recorder.events).containsExactly("member u1", "member u2", "snapshot");
    FlagSnapshot snapshot = recorder.snapshots.get(0);
    String version = snapshot.idListVersions().get(key).value();
    assertThat(recorder.members).allSatisfy(m -> assertThat(m.listVersion()).isEqualTo(version));
    assertThat(snapshot.evaluate(FlagNames.INGESTION, "u1", Set.of(key)).metricLabel())
        .isEqualTo("segment:Beta");

    // The list changes while the document does not: only the list is streamed again.
    recorder.events.clear();
    write(list, "user_id\nu2\nu3\n");
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.CHANGED);
    assertThat(recorder.events).containsExactly("member u2", "member u3", "snapshot");
    assertThat(recorder.snapshots.get(1).idListVersions().get(key).value()).isNotEqualTo(version);

    recorder.events.clear();
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.UNCHANGED);
    assertThat(recorder.events).isEmpty();
  }

  @Test
  void aListThatFailsKeepsItsLastVersionAndTheDocumentStillLoads() throws IOException {
    write(
        document,
        "flags: {consumer_graph_ingestion: {enabled: true, segments: "
            + "[{name: Beta, allowedS3IDs: missing.csv}, {name: Team, allowedIDs: [t1]}]}}");
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.CHANGED_WITH_FAILURES);

    FlagSnapshot snapshot = poller.current();
    assertThat(snapshot.hasDocument()).isTrue();
    assertThat(snapshot.idListVersions()).isEmpty();
    assertThat(recorder.failures.get(0)).contains("missing.csv").contains("nobody is a member");
    assertThat(snapshot.evaluate(FlagNames.INGESTION, "t1", Set.of()).enabled()).isTrue();
  }

  @Test
  void aListenerThatThrowsGetsTheSnapshotAgainOnTheNextPoll() throws IOException {
    write(document, "flags: {f: {enabled: true}}");
    recorder.throwOnNextSnapshot = true;
    try {
      poller.pollOnce();
    } catch (IllegalStateException expected) {
      // the listener's failure reaches the caller of pollOnce
    }
    assertThat(poller.current().hasDocument()).isFalse();
    assertThat(poller.pollOnce()).isEqualTo(FlagPoller.PollResult.CHANGED);
    assertThat(poller.current().hasDocument()).isTrue();
  }

  /**
   * Replaces the file atomically: an in-place rewrite truncates first, so a poll running
   * concurrently could read an empty or partial file.
   */
  private static void write(Path path, String text) throws IOException {
    Path tmp = Files.createTempFile(path.getParent(), path.getFileName().toString(), ".tmp");
    Files.writeString(tmp, text);
    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Records every listener call in order. */
  private static final class Recorder implements FlagPoller.Listener {
    final List<String> events = new ArrayList<>();
    final List<FlagSnapshot> snapshots = new ArrayList<>();
    final List<IdListMember> members = new ArrayList<>();
    final List<String> failures = new ArrayList<>();
    boolean throwOnNextSnapshot;

    @Override
    public void onSnapshot(FlagSnapshot snapshot) {
      if (throwOnNextSnapshot) {
        throwOnNextSnapshot = false;
        throw new IllegalStateException("listener down");
      }
      events.add("snapshot");
      snapshots.add(snapshot);
    }

    @Override
    public void onIdListMember(IdListMember member) {
      events.add("member " + member.userId());
      members.add(member);
    }

    @Override
    public void onFailure(String reason, boolean servingLastGood) {
      failures.add(reason + " " + servingLastGood);
    }
  }

  /** A clock the test moves by hand. */
  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void advance(Duration duration) {
      now = now.plus(duration);
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }
}
