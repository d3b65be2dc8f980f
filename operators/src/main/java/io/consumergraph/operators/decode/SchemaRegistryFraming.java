package io.consumergraph.operators.decode;

import java.util.Arrays;

/**
 * Strips the schema-registry wire framing from a protobuf record: magic byte 0, a 4-byte big-endian
 * schema id, then the message-index path (a zig-zag varint count followed by that many zig-zag
 * varint indexes; a single 0 byte is the short form of [0]).
 *
 * <p>A raw protobuf message never starts with byte 0 (field number 0 is illegal), so a payload
 * whose first byte is not 0 is taken as unframed.
 */
public final class SchemaRegistryFraming {

  /** A payload with its framing removed. */
  public record Unframed(int schemaId, int[] messageIndexes, byte[] message) {}

  static final byte MAGIC_BYTE = 0;
  private static final int MAX_INDEXES = 128;

  private SchemaRegistryFraming() {}

  public static boolean isFramed(byte[] payload) {
    return payload.length > 0 && payload[0] == MAGIC_BYTE;
  }

  /**
   * Removes the framing.
   *
   * @throws IllegalArgumentException with a precise reason when the framing is malformed
   */
  public static Unframed unframe(byte[] payload) {
    if (payload.length == 0 || payload[0] != MAGIC_BYTE) {
      throw new IllegalArgumentException(
          "magic byte is "
              + (payload.length == 0 ? "missing" : String.format("0x%02x", payload[0]))
              + ", expected 0x00");
    }
    if (payload.length < 6) {
      throw new IllegalArgumentException(
          "framed payload of " + payload.length + " bytes is shorter than its 5-byte header");
    }
    int schemaId =
        ((payload[1] & 0xff) << 24)
            | ((payload[2] & 0xff) << 16)
            | ((payload[3] & 0xff) << 8)
            | (payload[4] & 0xff);
    int[] position = {5};
    int count = zigZag(readVarint(payload, position, "message-index count"));
    if (count < 0 || count > MAX_INDEXES) {
      throw new IllegalArgumentException("message-index count " + count + " is out of range");
    }
    int[] indexes;
    if (count == 0) {
      indexes = new int[] {0};
    } else {
      indexes = new int[count];
      for (int i = 0; i < count; i++) {
        indexes[i] = zigZag(readVarint(payload, position, "message index " + i));
      }
    }
    return new Unframed(
        schemaId, indexes, Arrays.copyOfRange(payload, position[0], payload.length));
  }

  /** Frames a message the way a schema-registry serializer does (for producers and tests). */
  public static byte[] frame(int schemaId, int[] messageIndexes, byte[] message) {
    byte[] header = new byte[5 + 5 * (messageIndexes.length + 1)];
    header[0] = MAGIC_BYTE;
    header[1] = (byte) (schemaId >>> 24);
    header[2] = (byte) (schemaId >>> 16);
    header[3] = (byte) (schemaId >>> 8);
    header[4] = (byte) schemaId;
    int pos = 5;
    if (messageIndexes.length == 1 && messageIndexes[0] == 0) {
      header[pos++] = 0;
    } else {
      pos = writeVarint(header, pos, (messageIndexes.length << 1) ^ (messageIndexes.length >> 31));
      for (int index : messageIndexes) {
        pos = writeVarint(header, pos, (index << 1) ^ (index >> 31));
      }
    }
    byte[] out = Arrays.copyOf(header, pos + message.length);
    System.arraycopy(message, 0, out, pos, message.length);
    return out;
  }

  private static int readVarint(byte[] bytes, int[] position, String what) {
    int result = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (position[0] >= bytes.length) {
        throw new IllegalArgumentException("truncated varint in " + what);
      }
      byte b = bytes[position[0]++];
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IllegalArgumentException("varint in " + what + " is longer than 5 bytes");
  }

  private static int writeVarint(byte[] out, int pos, int value) {
    while ((value & ~0x7f) != 0) {
      out[pos++] = (byte) ((value & 0x7f) | 0x80);
      value >>>= 7;
    }
    out[pos++] = (byte) value;
    return pos;
  }

  private static int zigZag(int n) {
    return (n >>> 1) ^ -(n & 1);
  }
}
