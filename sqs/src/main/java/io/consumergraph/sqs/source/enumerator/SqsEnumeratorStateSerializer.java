package io.consumergraph.sqs.source.enumerator;

import java.io.IOException;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Versioned serializer of {@link SqsEnumeratorState}; part of the savepoint contract. */
public final class SqsEnumeratorStateSerializer
    implements SimpleVersionedSerializer<SqsEnumeratorState> {

  private static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(SqsEnumeratorState state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    out.writeInt(state.assignedSplitIds().size());
    for (String id : state.assignedSplitIds()) {
      out.writeUTF(id);
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public SqsEnumeratorState deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION) {
      throw new IOException("unknown SqsEnumeratorState serializer version " + version);
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    int count = in.readInt();
    Set<String> ids = new HashSet<>(count);
    for (int i = 0; i < count; i++) {
      ids.add(in.readUTF());
    }
    return new SqsEnumeratorState(ids);
  }
}
