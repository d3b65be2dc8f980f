package io.consumergraph.job.savepoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * What the committed savepoint fixture holds: written by {@link SavepointFixtureWriterIT}, checked
 * by {@link SavepointCompatibilityTest} in every build.
 */
final class SavepointFixture {

  private SavepointFixture() {}

  /** The fixture's folder, relative to the job module (where Maven runs its tests). */
  static final Path DIRECTORY = Path.of("src/test/resources/savepoint-fixture");

  /** The savepoint itself (the folder Flink wrote, {@code _metadata} and any state files). */
  static final Path SAVEPOINT = DIRECTORY.resolve("savepoint");

  /** When and with what the fixture was written. */
  static final Path MANIFEST = DIRECTORY.resolve("fixture.properties");

  /** Sent two live receipts: their ids are in dedup state and in the merger's recent purchases. */
  static final String LIVE_USER = "fixture-live-user";

  static final List<String> LIVE_RECEIPTS =
      List.of("fixture-live-receipt-1", "fixture-live-receipt-2");

  /** Backfilled: the coordinator holds its loaded mark and the request id it has seen. */
  static final String LOADED_USER = "fixture-loaded-user";

  static final String LOAD_REQUEST_ID = "fixture-load-request-1";

  /** Sent a receipt while the receipt killswitch was on: the gate holds it. */
  static final String HELD_USER = "fixture-held-user";

  static final String HELD_RECEIPT = "fixture-held-receipt-1";

  /** The fixture's job runs every operator at parallelism 1: one subtask state per operator. */
  static final int PARALLELISM = 1;

  /** The manifest's keys. */
  static final String CREATED_AT_MS = "created-at-ms";

  static final String FLINK_VERSION = "flink-version";

  static Properties manifest() throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(MANIFEST)) {
      p.load(in);
    }
    return p;
  }

  static long createdAtMs() throws IOException {
    return Long.parseLong(manifest().getProperty(CREATED_AT_MS));
  }
}
