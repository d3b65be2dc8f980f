package io.consumergraph.tools.backfill;

import java.util.List;
import java.util.TreeSet;

/**
 * How far a backfill got: every id before {@code next} is confirmed sent, and so are the ids at the
 * positions in {@code sentBeyond} (the part of a batch that went through before a failure).
 */
public record SendPosition(int next, List<Integer> sentBeyond) {

  public static final SendPosition START = new SendPosition(0, List.of());

  public SendPosition {
    sentBeyond = List.copyOf(new TreeSet<>(sentBeyond));
  }

  /** How many ids are confirmed sent. */
  public int confirmed() {
    return next + sentBeyond.size();
  }

  public boolean isSent(int index) {
    return index < next || java.util.Collections.binarySearch(sentBeyond, index) >= 0;
  }
}
