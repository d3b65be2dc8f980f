package io.consumergraph.flags;

/**
 * Remembers which ids were seen by a 64-bit hash of each, not the id itself: 1M ids cost ~16 MB (an
 * open-addressing {@code long[]}) instead of ~100 MB of strings. Two distinct ids share a hash with
 * probability about n²/2⁶⁵ (3·10⁻⁸ for a million ids); the later one would then be skipped as a
 * duplicate.
 */
final class IdDeduplicator {

  private static final double MAX_LOAD = 0.6;

  private long[] slots = new long[1 << 16];
  private int size;
  private boolean sawZero;

  /** True the first time an id is offered. */
  boolean firstTime(CharSequence id) {
    long hash = hash(id);
    if (hash == 0) {
      // 0 marks an empty slot, so the one id hashing to 0 is tracked apart.
      boolean first = !sawZero;
      sawZero = true;
      return first;
    }
    if (size + 1 > slots.length * MAX_LOAD) {
      grow();
    }
    return insert(slots, hash);
  }

  int size() {
    return size + (sawZero ? 1 : 0);
  }

  /** Bytes held by the table: what remembering the ids costs. */
  long tableBytes() {
    return (long) slots.length * Long.BYTES;
  }

  private boolean insert(long[] table, long hash) {
    int mask = table.length - 1;
    int index = (int) (hash ^ (hash >>> 32)) & mask;
    while (true) {
      long existing = table[index];
      if (existing == 0) {
        table[index] = hash;
        if (table == slots) {
          size++;
        }
        return true;
      }
      if (existing == hash) {
        return false;
      }
      index = (index + 1) & mask;
    }
  }

  private void grow() {
    long[] old = slots;
    long[] bigger = new long[old.length * 2];
    for (long hash : old) {
      if (hash != 0) {
        int mask = bigger.length - 1;
        int index = (int) (hash ^ (hash >>> 32)) & mask;
        while (bigger[index] != 0) {
          index = (index + 1) & mask;
        }
        bigger[index] = hash;
      }
    }
    slots = bigger;
  }

  /** FNV-1a over the UTF-16 code units, then MurmurHash3's 64-bit finalizer to spread the bits. */
  static long hash(CharSequence id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 33;
    h *= 0xff51afd7ed558ccdL;
    h ^= h >>> 33;
    h *= 0xc4ceb9fe1a85ec53L;
    h ^= h >>> 33;
    return h;
  }
}
