package io.consumergraph.job.inspect;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.ListSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.MapSerializerSnapshot;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.memory.DataInputViewStreamWrapper;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.KeyGroupsStateHandle;
import org.apache.flink.runtime.state.KeyedBackendSerializationProxy;
import org.apache.flink.runtime.state.KeyedStateHandle;
import org.apache.flink.runtime.state.StreamStateHandle;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot.BackendStateType;
import org.apache.flink.runtime.state.metainfo.StateMetaInfoSnapshot.CommonSerializerKeys;
import org.apache.flink.runtime.state.ttl.TtlStateFactory;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.runtime.SavepointLoader;

/**
 * A savepoint or retained checkpoint of the job on the local file system: the directory holding its
 * {@code _metadata}, found from what the user pointed at, and which of the job's stateful operators
 * it holds state for.
 *
 * @param directory the snapshot's directory (a savepoint's, or a checkpoint's {@code chk-N})
 * @param savepoint false for a checkpoint
 * @param operators the job's operators the snapshot holds state for, in {@link JobStates#ALL} order
 * @param absent uids of the job's stateful operators it holds no state for
 * @param unknownStates {@code uid/state} of keyed or broadcast states the tool does not read
 * @param ttlStates {@code uid/state} of the keyed states written with a TTL
 */
record Snapshot(
    Path directory,
    long checkpointId,
    boolean savepoint,
    List<JobStates.Operator> operators,
    List<String> absent,
    List<String> unknownStates,
    Set<String> ttlStates) {

  static final String METADATA = "_metadata";

  private static final Pattern CHECKPOINT_DIR = Pattern.compile("chk-(\\d+)");

  /**
   * Resolves {@code path}: a savepoint or {@code chk-N} directory, its {@code _metadata} file, or a
   * job's checkpoint directory (its latest {@code chk-N} with metadata is taken).
   */
  static Snapshot locate(Path path) throws InvalidSnapshotException {
    Path directory = directoryOf(path.toAbsolutePath().normalize());
    CheckpointMetadata metadata;
    try {
      metadata = SavepointLoader.loadSavepointMetadata(directory.toString());
    } catch (IOException | RuntimeException e) {
      throw new InvalidSnapshotException(
          "cannot read the snapshot metadata in " + directory + ": " + e.getMessage());
    }
    Map<OperatorID, OperatorState> withState = new HashMap<>();
    for (OperatorState operator : metadata.getOperatorStates()) {
      if (operator.getStates().stream().anyMatch(OperatorSubtaskState::hasState)) {
        withState.put(operator.getOperatorID(), operator);
      }
    }
    List<JobStates.Operator> present = new ArrayList<>();
    List<String> absent = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    Set<String> ttl = new HashSet<>();
    for (JobStates.Operator operator : JobStates.ALL) {
      OperatorState state =
          withState.get(OperatorIdentifier.forUid(operator.uid()).getOperatorId());
      if (state == null) {
        absent.add(operator.uid());
        continue;
      }
      present.add(operator);
      for (StateMetaInfoSnapshot meta : keyedStateMetadata(directory, operator, state)) {
        String name = operator.uid() + "/" + meta.getName();
        if (!isRead(operator, meta)) {
          unknown.add(name);
        } else if (hasTtl(meta)) {
          ttl.add(name);
        }
      }
    }
    if (present.isEmpty()) {
      throw new InvalidSnapshotException(
          directory
              + " holds no state of the job's operators "
              + absent
              + ": not a consumer-graph snapshot");
    }
    boolean savepoint =
        metadata.getCheckpointProperties() != null
            && metadata.getCheckpointProperties().isSavepoint();
    return new Snapshot(
        directory,
        metadata.getCheckpointId(),
        savepoint,
        List.copyOf(present),
        List.copyOf(absent),
        List.copyOf(unknown),
        Set.copyOf(ttl));
  }

  /** Whether this operator's state was written with a TTL. */
  boolean hasTtl(JobStates.Operator operator, String state) {
    return ttlStates.contains(operator.uid() + "/" + state);
  }

  /** What the reports call it: "savepoint" or "checkpoint". */
  String kind() {
    return savepoint ? "savepoint" : "checkpoint";
  }

  private static Path directoryOf(Path path) throws InvalidSnapshotException {
    if (!Files.exists(path)) {
      throw new InvalidSnapshotException("no such file or directory: " + path);
    }
    if (Files.isRegularFile(path)) {
      if (path.getFileName().toString().equals(METADATA)) {
        return path.getParent();
      }
      throw new InvalidSnapshotException(
          path
              + " is a file: give a savepoint or checkpoint directory (one holding "
              + METADATA
              + ")");
    }
    if (Files.isRegularFile(path.resolve(METADATA))) {
      return path;
    }
    Optional<Path> latest = latestCheckpoint(path);
    if (latest.isPresent()) {
      return latest.get();
    }
    throw new InvalidSnapshotException(
        path
            + " is not a savepoint or retained checkpoint: it holds no "
            + METADATA
            + " and no chk-N directory with one");
  }

  private static Optional<Path> latestCheckpoint(Path directory) throws InvalidSnapshotException {
    try (Stream<Path> children = Files.list(directory)) {
      return children
          .filter(p -> CHECKPOINT_DIR.matcher(p.getFileName().toString()).matches())
          .filter(p -> Files.isRegularFile(p.resolve(METADATA)))
          .max(Comparator.comparingLong(Snapshot::checkpointNumber));
    } catch (IOException e) {
      throw new InvalidSnapshotException("cannot list " + directory + ": " + e.getMessage());
    }
  }

  private static long checkpointNumber(Path chk) {
    Matcher m = CHECKPOINT_DIR.matcher(chk.getFileName().toString());
    return m.matches() ? Long.parseLong(m.group(1)) : -1;
  }

  /**
   * The names and serializers of an operator's keyed states, from the first keyed state handle that
   * has them: a savepoint's key-group stream starts with them, an incremental or native RocksDB
   * snapshot keeps them in a separate handle. All subtasks register the same states.
   */
  private static List<StateMetaInfoSnapshot> keyedStateMetadata(
      Path directory, JobStates.Operator operator, OperatorState state)
      throws InvalidSnapshotException {
    for (OperatorSubtaskState subtask : state.getStates()) {
      for (KeyedStateHandle handle : subtask.getManagedKeyedState()) {
        StreamStateHandle meta =
            handle instanceof IncrementalKeyedStateHandle incremental
                ? incremental.getMetaDataStateHandle()
                : handle instanceof KeyGroupsStateHandle keyGroups ? keyGroups : null;
        if (meta == null) {
          continue;
        }
        try (FSDataInputStream in = meta.openInputStream()) {
          KeyedBackendSerializationProxy<?> proxy =
              new KeyedBackendSerializationProxy<>(Snapshot.class.getClassLoader());
          proxy.read(new DataInputViewStreamWrapper(in));
          return proxy.getStateMetaInfoSnapshots();
        } catch (IOException | RuntimeException e) {
          throw new InvalidSnapshotException(
              "cannot read the state metadata of "
                  + operator.uid()
                  + " in "
                  + directory
                  + ": "
                  + e.getMessage());
        }
      }
    }
    return List.of();
  }

  /**
   * A TTL state's values (a list's elements, a map's values) carry a timestamp: its serializer is
   * TTL's wrapper. Reading it with a matching descriptor means nothing migrates on restore.
   */
  private static boolean hasTtl(StateMetaInfoSnapshot state) {
    TypeSerializerSnapshot<?> value =
        state.getTypeSerializerSnapshot(CommonSerializerKeys.VALUE_SERIALIZER);
    if (value instanceof ListSerializerSnapshot<?> list) {
      value = list.getNestedSerializerSnapshots()[0];
    } else if (value instanceof MapSerializerSnapshot<?, ?> map) {
      value = map.getNestedSerializerSnapshots()[1];
    }
    return value instanceof TtlStateFactory.TtlSerializerSnapshot<?>;
  }

  private static boolean isRead(JobStates.Operator operator, StateMetaInfoSnapshot state) {
    BackendStateType type = state.getBackendStateType();
    return switch (type) {
        // Timers: not user state.
      case PRIORITY_QUEUE -> true;
      case BROADCAST ->
          operator == JobStates.USER_GATE && state.getName().equals(JobStates.FLAG_SNAPSHOT);
      default -> operator.state(state.getName()).isPresent();
    };
  }
}
