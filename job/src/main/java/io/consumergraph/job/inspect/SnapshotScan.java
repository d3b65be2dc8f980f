package io.consumergraph.job.inspect;

import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;

/**
 * Reads a snapshot's state with the State Processor API in one local Flink run and hands each
 * {@link StateRow} to a consumer.
 *
 * <p>The reader restores into RocksDB, the job's backend: it reads canonical and native savepoints
 * and the job's incremental checkpoints alike (a heap backend could not read the latter).
 */
final class SnapshotScan {

  private SnapshotScan() {}

  /**
   * @param user the only user to read, with content; null for every user (totals)
   */
  static void scan(Snapshot snapshot, String user, Consumer<StateRow> rows) throws Exception {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(new Configuration());
    SavepointReader reader =
        SavepointReader.read(
            env, snapshot.directory().toString(), new EmbeddedRocksDBStateBackend());
    DataStream<StateRow> all = null;
    for (JobStates.Operator operator : snapshot.operators()) {
      DataStream<StateRow> states =
          reader.readKeyedState(
              OperatorIdentifier.forUid(operator.uid()),
              new KeyedStateScan(operator, ttlStatesOf(snapshot, operator), user),
              Types.STRING,
              StateRow.TYPE);
      // The keyed-state source emits a null for a key its function reported nothing for (every
      // other user's, when one is inspected); the collecting sink does not survive nulls.
      states = states.filter(new NotNull()).name("rows of " + operator.uid());
      all = all == null ? states : all.union(states);
    }
    if (user == null && snapshot.operators().contains(JobStates.USER_GATE)) {
      all =
          all.union(
              reader
                  .readBroadcastState(
                      OperatorIdentifier.forUid(JobStates.USER_GATE.uid()),
                      JobStates.FLAG_SNAPSHOT,
                      Types.STRING,
                      Types.STRING)
                  .map(new BroadcastEntry())
                  .returns(StateRow.TYPE));
    }
    try (CloseableIterator<StateRow> it = all.executeAndCollect("state-inspect")) {
      it.forEachRemaining(rows);
    }
  }

  private static Set<String> ttlStatesOf(Snapshot snapshot, JobStates.Operator operator) {
    Set<String> names = new HashSet<>();
    for (StateSpec spec : operator.states()) {
      if (snapshot.hasTtl(operator, spec.name())) {
        names.add(spec.name());
      }
    }
    return names;
  }

  private static final class NotNull implements FilterFunction<StateRow> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean filter(StateRow row) {
      return row != null;
    }
  }

  /** One entry of the gate's flag snapshot (broadcast) state. */
  private static final class BroadcastEntry
      implements MapFunction<Tuple2<String, String>, StateRow> {

    private static final long serialVersionUID = 1L;

    @Override
    public StateRow map(Tuple2<String, String> entry) throws Exception {
      DataOutputSerializer out = new DataOutputSerializer(1024);
      StringSerializer strings =
          (StringSerializer) Types.STRING.createSerializer(new SerializerConfigImpl());
      strings.serialize(entry.f0, out);
      strings.serialize(entry.f1, out);
      return new StateRow(
          JobStates.USER_GATE.uid(),
          JobStates.FLAG_SNAPSHOT,
          entry.f0,
          true,
          1,
          out.length(),
          null);
    }
  }
}
