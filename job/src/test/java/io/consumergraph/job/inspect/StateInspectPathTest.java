package io.consumergraph.job.inspect;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which directory {@code state-inspect} reads, and how it refuses one that holds no snapshot of the
 * job (exit 2, a message saying why), before any Flink runs.
 */
class StateInspectPathTest {

  /** The committed savepoint fixture (see SavepointFixture). */
  private static final Path FIXTURE = Path.of("src/test/resources/savepoint-fixture/savepoint");

  @TempDir Path dir;

  @Test
  void aSavepointDirectoryOrItsMetadataFileIsReadAsItIs() throws Exception {
    Snapshot snapshot = Snapshot.locate(FIXTURE);
    assertThat(snapshot.directory()).isEqualTo(FIXTURE.toAbsolutePath());
    assertThat(snapshot.savepoint()).isTrue();
    // The fixture is a savepoint of the job before auto-load: it has no throttle.
    assertThat(snapshot.operators())
        .containsExactlyElementsOf(
            JobStates.ALL.stream().filter(o -> o != JobStates.AUTO_LOAD_THROTTLE).toList());
    assertThat(snapshot.absent()).containsExactly(JobStates.AUTO_LOAD_THROTTLE.uid());

    assertThat(Snapshot.locate(FIXTURE.resolve("_metadata")).directory())
        .isEqualTo(FIXTURE.toAbsolutePath());
  }

  @Test
  void aJobsCheckpointDirectoryIsReadAtItsLatestCheckpointWithMetadata() throws Exception {
    copyFixtureTo(dir.resolve("chk-3"));
    copyFixtureTo(dir.resolve("chk-12"));
    Files.createDirectories(dir.resolve("chk-40")); // in progress: no metadata yet
    Files.createDirectories(dir.resolve("shared"));

    assertThat(Snapshot.locate(dir).directory()).isEqualTo(dir.resolve("chk-12"));
  }

  @Test
  void aMissingPathExitsWithTwo() {
    Run run = run("--path", dir.resolve("nothing-here").toString());
    assertThat(run.exit).isEqualTo(StateInspect.BAD_INPUT);
    assertThat(run.err).contains("no such file or directory").contains("nothing-here");
    assertThat(run.out).isEmpty();
  }

  @Test
  void aDirectoryWithoutMetadataIsNotASnapshot() throws Exception {
    Files.writeString(dir.resolve("notes.txt"), "not a savepoint");
    Run run = run("--path", dir.toString(), "--user", "u");
    assertThat(run.exit).isEqualTo(StateInspect.BAD_INPUT);
    assertThat(run.err).contains("is not a savepoint or retained checkpoint");
  }

  @Test
  void aFileOtherThanMetadataIsRefused() throws Exception {
    Path file = Files.writeString(dir.resolve("savepoint.zip"), "zip");
    Run run = run("--path", file.toString());
    assertThat(run.exit).isEqualTo(StateInspect.BAD_INPUT);
    assertThat(run.err).contains("is a file");
  }

  @Test
  void unreadableMetadataIsNotASnapshot() throws Exception {
    Files.writeString(dir.resolve("_metadata"), "garbage, not Flink metadata");
    assertThatThrownBy(() -> Snapshot.locate(dir))
        .isInstanceOf(InvalidSnapshotException.class)
        .hasMessageContaining("cannot read the snapshot metadata");
    assertThat(run("--path", dir.toString()).exit).isEqualTo(StateInspect.BAD_INPUT);
  }

  @Test
  void withoutAPathTheUsageIsPrintedAndTheExitCodeIsTwo() {
    Run run = run("--user", "u");
    assertThat(run.exit).isEqualTo(StateInspect.BAD_INPUT);
    assertThat(run.err).contains("Missing required option: '--path=DIR'").contains("Usage:");
  }

  private void copyFixtureTo(Path target) throws Exception {
    Files.createDirectories(target);
    Files.copy(FIXTURE.resolve("_metadata"), target.resolve("_metadata"));
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = StateInspect.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exit, out.toString(), err.toString());
  }
}
