package io.consumergraph.sink.neo4j;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What this writer has already committed for shared nodes (product, retailer and category metadata)
 * and IN_CATEGORY links, so that a batch row that would change nothing is not sent. Products are
 * shared by all users and most batches repeat the same popular products: those rows were ~11% of
 * the sink's statement time and changed nothing (benchmarks/README.md).
 *
 * <p>Safe because:
 *
 * <ul>
 *   <li>It only records rows of a transaction that committed ({@link #remember} is called after the
 *       write returns), so a rolled-back or failed batch is sent again in full.
 *   <li>A row is dropped only when every non-null value in it equals the value this writer last
 *       committed for that field; any changed value sends the whole row. Null means "keep" in the
 *       statements (the category guard), so a null never needs sending once the node exists.
 *   <li>Nothing else deletes nodes or moves IN_CATEGORY edges except writers of this sink, so a
 *       node this writer created still exists; a restart starts with an empty cache.
 * </ul>
 *
 * Parallel writers each have their own cache: if two writers disagree on a product's value, the
 * graph keeps the one written last by either, as it would without caches (upstream metadata of a
 * product is the same for every writer, so this does not arise in practice).
 *
 * <p>Bounded: each kind keeps its most recently used {@code maxEntriesPerKind} keys (LRU). Not
 * thread-safe; a sink writer is called from one thread.
 */
final class WrittenNodeCache {

  /**
   * Default bound per kind: ~100K keys is a few tens of MB at most and covers a large catalogue.
   */
  static final int DEFAULT_MAX_ENTRIES_PER_KIND = 100_000;

  /** Per step kind: the row field that is the key, the fields that are values. */
  private record Kind(String keyField, List<String> valueFields) {}

  private static final Map<String, Kind> KINDS =
      Map.of(
          "categories", new Kind("category_id", List.of("hierarchy")),
          "products",
              new Kind("product_id", List.of("name", "brand", "category_id", "category_hierarchy")),
          "retailers", new Kind("retailer_id", List.of("name", "store_type")),
          "in_category", new Kind("product_id", List.of("category_id")));

  private final Map<String, Map<String, Map<String, Object>>> known = new HashMap<>();
  private final int maxEntriesPerKind;

  WrittenNodeCache(int maxEntriesPerKind) {
    this.maxEntriesPerKind = maxEntriesPerKind;
    KINDS.keySet().forEach(kind -> known.put(kind, newLru()));
  }

  private Map<String, Map<String, Object>> newLru() {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Map<String, Object>> eldest) {
        return size() > maxEntriesPerKind;
      }
    };
  }

  /** The batch without the rows that would only restate what this writer already committed. */
  GraphBatch unwritten(GraphBatch batch) {
    return batch.keepRows(
        (kind, row) -> {
          Kind shape = KINDS.get(kind);
          return shape == null || !isKnown(known.get(kind), shape, row);
        });
  }

  private static boolean isKnown(
      Map<String, Map<String, Object>> cache, Kind shape, Map<String, Object> row) {
    Map<String, Object> written = cache.get((String) row.get(shape.keyField()));
    if (written == null) {
      return false;
    }
    for (String field : shape.valueFields()) {
      Object value = row.get(field);
      if (value != null && !Objects.equals(value, written.get(field))) {
        return false;
      }
    }
    return true;
  }

  /** Records the rows of a batch that has committed. */
  void remember(GraphBatch written) {
    for (GraphBatch.Step step : written.steps()) {
      Kind shape = KINDS.get(step.kind());
      if (shape == null) {
        continue;
      }
      Map<String, Map<String, Object>> cache = known.get(step.kind());
      for (Map<String, Object> row : step.rows()) {
        String key = (String) row.get(shape.keyField());
        // Merge, as the statement does: a null kept the stored value, which stays as known.
        Map<String, Object> values = cache.computeIfAbsent(key, k -> new HashMap<>(4));
        for (String field : shape.valueFields()) {
          Object value = row.get(field);
          if (value != null) {
            values.put(field, value);
          }
        }
      }
    }
  }

  /** Keys known per kind, for tests. */
  Map<String, Integer> sizes() {
    Map<String, Integer> sizes = new HashMap<>();
    known.forEach((kind, cache) -> sizes.put(kind, cache.size()));
    return sizes;
  }

  /** Every kind's keys in LRU order, for tests. */
  List<String> keys(String kind) {
    return new ArrayList<>(known.get(kind).keySet());
  }
}
