package io.consumergraph.tools.admin;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The state directory: {@code <job_id>.json} (the job's {@link JobState}) and {@code <job_id>.ids}
 * (its user ids, one a line). Every write goes to a temporary file that is then moved over the old
 * one, so a crash leaves the previous state, never half of one.
 */
public final class JobStore {

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path dir;

  public JobStore(Path dir) throws IOException {
    this.dir = Files.createDirectories(dir);
  }

  public void save(JobState state) {
    try {
      write(dir.resolve(state.jobId() + ".json"), JSON.writeValueAsBytes(state));
    } catch (IOException e) {
      throw new UncheckedIOException("could not save job " + state.jobId(), e);
    }
  }

  public void saveIds(String jobId, List<String> ids) throws IOException {
    write(
        dir.resolve(jobId + ".ids"),
        (String.join("\n", ids) + "\n").getBytes(StandardCharsets.UTF_8));
  }

  public List<String> loadIds(String jobId) throws IOException {
    return Files.readAllLines(dir.resolve(jobId + ".ids"), StandardCharsets.UTF_8).stream()
        .filter(line -> !line.isEmpty())
        .toList();
  }

  /** Every job of the directory, oldest first. */
  public List<JobState> loadAll() throws IOException {
    List<JobState> states = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path file : files) {
        states.add(JSON.readValue(file.toFile(), JobState.class));
      }
    }
    states.sort(Comparator.comparing(JobState::createdAt));
    return states;
  }

  private void write(Path target, byte[] content) throws IOException {
    Path tmp = Files.createTempFile(dir, target.getFileName().toString(), ".tmp");
    try {
      Files.write(tmp, content);
      try {
        Files.move(
            tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
