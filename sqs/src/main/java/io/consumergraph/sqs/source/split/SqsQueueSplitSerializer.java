package io.consumergraph.sqs.source.split;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/** Versioned serializer of {@link SqsQueueSplit}; the format is part of the savepoint contract. */
public final class SqsQueueSplitSerializer implements SimpleVersionedSerializer<SqsQueueSplit> {

  private static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(SqsQueueSplit split) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(256);
    out.writeUTF(split.queueUrl());
    out.writeInt(split.priority());
    out.writeInt(split.ownerSubtask());
    out.writeInt(split.pendingReceiptHandles().size());
    for (String handle : split.pendingReceiptHandles()) {
      out.writeUTF(handle);
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public SqsQueueSplit deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION) {
      throw new IOException("unknown SqsQueueSplit serializer version " + version);
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    String queueUrl = in.readUTF();
    int priority = in.readInt();
    int owner = in.readInt();
    int count = in.readInt();
    List<String> handles = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      handles.add(in.readUTF());
    }
    return new SqsQueueSplit(queueUrl, priority, owner, handles);
  }
}
