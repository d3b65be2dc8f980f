package io.consumergraph.sink.neo4j;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The Cypher the Neo4j sink runs. Every data statement takes one parameter, {@code $rows}, and is a
 * plain {@code UNWIND}: {@link GraphBatch} folds a batch so that each statement has at most one row
 * per key (user, product, user×product, user×retailer, …), so no row reads what another row of the
 * same statement writes, and the Eager steps the planner inserts between a clause's writes and the
 * next clause's reads cannot change a result. (Running each row in {@code CALL (row) { ... }}
 * instead cost a subquery per row and made the sink slower than a hand-written loop:
 * benchmarks/README.md.)
 *
 * <p>{@code CYPHER replan=skip}: every statement finds its nodes through a uniqueness constraint,
 * so the plan does not depend on graph statistics, yet Neo4j re-plans a cached query whenever the
 * statistics drift (a growing graph, every 10 s); that planning ran inside the batch transactions
 * and was ~11% of the server's CPU in the pipeline benchmark. Values are always parameters.
 */
final class GraphCypher {

  private GraphCypher() {}

  /** A uniqueness constraint on a node key, named as Neo4j shows it. */
  private record UniqueKey(String name, String label, String key) {
    String cypher() {
      return "CREATE CONSTRAINT %s IF NOT EXISTS FOR (n:%s) REQUIRE n.%s IS UNIQUE"
          .formatted(name, label, key);
    }
  }

  /**
   * By name; created at writer start-up when missing. They also make MERGE safe under parallel
   * writers.
   */
  static final Map<String, String> CONSTRAINTS_BY_NAME =
      Stream.of(
              new UniqueKey("user_user_id", "User", "user_id"),
              new UniqueKey("product_product_id", "Product", "product_id"),
              new UniqueKey("retailer_retailer_id", "Retailer", "retailer_id"),
              new UniqueKey("category_category_id", "Category", "category_id"))
          .collect(
              Collectors.collectingAndThen(
                  Collectors.toMap(
                      UniqueKey::name, UniqueKey::cypher, (a, b) -> a, LinkedHashMap::new),
                  Collections::unmodifiableMap));

  /** The statements of {@link #CONSTRAINTS_BY_NAME}. */
  static final List<String> CONSTRAINTS = List.copyOf(CONSTRAINTS_BY_NAME.values());

  /**
   * Rows: user_id, updated_at (epoch ms). last_updated_at only moves forward. Returns the ids of
   * the users this statement created ({@code created}): their relationships are written with the
   * CREATE statements below. The marker property is set and removed within the statement, so it is
   * never committed.
   */
  static final String MERGE_USERS =
      """
      CYPHER replan=skip
      UNWIND $rows AS row
      MERGE (u:User {user_id: row.user_id})
      ON CREATE SET u.sink_created = true
      WITH u, row, datetime({epochMillis: row.updated_at}) AS at, u.sink_created IS NOT NULL AS created
      FOREACH (new IN CASE WHEN created THEN [u] ELSE [] END | REMOVE new.sink_created)
      FOREACH (newer IN CASE WHEN u.last_updated_at IS NULL OR u.last_updated_at < at
                             THEN [u] ELSE [] END | SET newer.last_updated_at = at)
      WITH row WHERE created
      RETURN row.user_id AS created
      """;

  /** Rows: category_id, hierarchy (null when unknown). */
  static final String MERGE_CATEGORIES =
      """
      CYPHER replan=skip
      UNWIND $rows AS row
      MERGE (c:Category {category_id: row.category_id})
      WITH c, row
      WHERE row.hierarchy IS NOT NULL AND coalesce(c.hierarchy <> row.hierarchy, true)
      SET c.hierarchy = row.hierarchy
      """;

  /**
   * Rows: product_id, name, brand, category_id, category_hierarchy; null means "keep". The category
   * guard: empty values arrive as null and never overwrite. Products are shared by all users, so
   * the node is only written (write-locked) when something changes.
   */
  static final String MERGE_PRODUCTS =
      """
      CYPHER replan=skip
      UNWIND $rows AS row
      MERGE (p:Product {product_id: row.product_id})
      WITH p, row
      WHERE (row.name IS NOT NULL AND coalesce(p.name <> row.name, true))
         OR (row.brand IS NOT NULL AND coalesce(p.brand <> row.brand, true))
         OR (row.category_id IS NOT NULL AND coalesce(p.category_id <> row.category_id, true))
         OR (row.category_hierarchy IS NOT NULL
             AND coalesce(p.category_hierarchy <> row.category_hierarchy, true))
      SET p.name = coalesce(row.name, p.name),
          p.brand = coalesce(row.brand, p.brand),
          p.category_id = coalesce(row.category_id, p.category_id),
          p.category_hierarchy = coalesce(row.category_hierarchy, p.category_hierarchy)
      """;

  /** Rows: retailer_id, name, store_type; null means "keep". */
  static final String MERGE_RETAILERS =
      """
      CYPHER replan=skip
      UNWIND $rows AS row
      MERGE (x:Retailer {retailer_id: row.retailer_id})
      WITH x, row
      WHERE (row.name IS NOT NULL AND coalesce(x.name <> row.name, true))
         OR (row.store_type IS NOT NULL AND coalesce(x.store_type <> row.store_type, true))
      SET x.name = coalesce(row.name, x.name),
          x.store_type = coalesce(row.store_type, x.store_type)
      """;

  /** Rows: product_id, category_id (non-empty). A product has one leaf category: move the edge. */
  static final String LINK_PRODUCT_CATEGORIES =
      """
      CYPHER replan=skip
      UNWIND $rows AS row
      MATCH (p:Product {product_id: row.product_id})
      MATCH (c:Category {category_id: row.category_id})
      OPTIONAL MATCH (p)-[stale:IN_CATEGORY]->(other:Category)
      WHERE other.category_id <> row.category_id
      WITH p, c, collect(stale) AS stales
      FOREACH (r IN stales | DELETE r)
      MERGE (p)-[:IN_CATEGORY]->(c)
      """;

  /**
   * Rows: user_id, product_id, receipt_ids (distinct), timestamps (epoch ms, aligned). Add-only.
   *
   * <p>A new edge (most rows) is created with its whole id list and figures in MERGE's ON CREATE:
   * MERGE locks both end nodes and re-checks before it creates, so two writers cannot both create
   * it, and one step writes each property once instead of an empty list first and the ids after. An
   * existing edge is write-locked by ON MATCH SET before its ids are read, then only ids not yet on
   * it are appended, so two writers cannot both append the same id. A row that adds nothing to an
   * existing edge stops there; for a created edge every id is already on it, so it stops too.
   */
  static final String MERGE_PURCHASED =
      """
      CYPHER replan=skip
      UNWIND $rows AS row
      MATCH (u:User {user_id: row.user_id})
      MATCH (p:Product {product_id: row.product_id})
      WITH u, p, row, size(row.receipt_ids) AS n,
           reduce(lo = row.timestamps[0], t IN row.timestamps | CASE WHEN t < lo THEN t ELSE lo END)
             AS firstMs,
           reduce(hi = row.timestamps[0], t IN row.timestamps | CASE WHEN t > hi THEN t ELSE hi END)
             AS lastMs
      MERGE (u)-[r:PURCHASED]->(p)
      ON CREATE SET
          r.receipt_ids = row.receipt_ids,
          r.timestamps = [t IN row.timestamps | datetime({epochMillis: t})],
          r.times = n,
          r.last = datetime({epochMillis: lastMs}),
          r.avg_interval_days = CASE WHEN n < 2 THEN 0.0
              ELSE (lastMs - firstMs) / 86400000.0 / (n - 1) END,
          r.repurchase_likelihood = CASE WHEN n < 2 THEN 0.0 ELSE toFloat(n - 1) / n END
      ON MATCH SET
          r.receipt_ids = coalesce(r.receipt_ids, []), r.timestamps = coalesce(r.timestamps, [])
      WITH r, row,
           [i IN range(0, size(row.receipt_ids) - 1)
            WHERE NOT row.receipt_ids[i] IN r.receipt_ids] AS fresh
      WHERE size(fresh) > 0
      SET r.receipt_ids = r.receipt_ids + [i IN fresh | row.receipt_ids[i]],
          r.timestamps = r.timestamps
              + [i IN fresh | datetime({epochMillis: row.timestamps[i]})]
      WITH r,
           size(r.receipt_ids) AS times,
           reduce(lo = null, t IN r.timestamps | CASE WHEN lo IS NULL OR t < lo THEN t ELSE lo END)
             AS first,
           reduce(hi = null, t IN r.timestamps | CASE WHEN hi IS NULL OR t > hi THEN t ELSE hi END)
             AS last
      SET r.times = times,
          r.last = last,
          r.avg_interval_days = CASE WHEN times < 2 THEN 0.0
              ELSE (last.epochMillis - first.epochMillis) / 86400000.0 / (times - 1) END,
          r.repurchase_likelihood = CASE WHEN times < 2 THEN 0.0
              ELSE toFloat(times - 1) / times END
      """;

  /**
   * Rows: user_id, retailer_ids, window_start. Full load: the user's SHOPS_AT edges not in the load
   * lose the ids of the window it loaded (purchase time at or after window_start); an edge left
   * without ids goes.
   */
  static final String DELETE_STALE_SHOPS_AT =
      staleAggregates("SHOPS_AT", "Retailer", "retailer_id", "frequency");

  /** Rows: user_id, category_ids, window_start. As {@link #DELETE_STALE_SHOPS_AT}. */
  static final String DELETE_STALE_SHOPS_IN =
      staleAggregates("SHOPS_IN", "Category", "category_id", "purchase_count");

  /**
   * Rows: user_id, retailer_id, receipt_ids (distinct), timestamps (epoch ms, aligned), replace,
   * window_start. Replace (full load) keeps the ids recorded before window_start and sets the rest
   * to the row's; otherwise only ids not yet on the edge are added, so a repeated purchase never
   * counts twice. A new edge is created complete in ON CREATE (MERGE locks the end nodes, so only
   * one writer creates it); an existing one is write-locked by ON MATCH SET before its ids are
   * read, and a row that adds nothing to it and replaces nothing writes nothing more. An id whose
   * time is unknown (an edge written before timestamps were kept) counts as inside any window.
   *
   * <p>An edge the previous worker wrote carries a count and no ids. The first live purchase that
   * reaches it keeps that count as {@code legacy_count} and counts on from it ({@code count =
   * legacy_count + size(receipt_ids)}), so adopting the old graph never lowers a count; the user's
   * first full load replaces the legacy count with the history it loaded (a count of unknown times
   * counts as inside any window) and drops {@code legacy_count}.
   */
  static final String MERGE_SHOPS_AT =
      mergeAggregate("SHOPS_AT", "Retailer", "retailer_id", "frequency");

  /** Rows: user_id, category_id, receipt_ids, timestamps, replace, window_start. As above. */
  static final String MERGE_SHOPS_IN =
      mergeAggregate("SHOPS_IN", "Category", "category_id", "purchase_count");

  /**
   * Rows: user_id, edges (each as a {@link #MERGE_PURCHASED} row without user_id), only for users
   * created in the same transaction ({@link #MERGE_USERS}): such a user has no relationships yet,
   * and no other transaction can add one before this one commits (the new node is write-locked
   * until then, and a MERGE of the same user waits on the constraint's index entry), so the edges
   * are created as {@link #MERGE_PURCHASED} would create them, without MERGE's existence check and
   * the append steps after it: a bulk backfill of new users ran 1.23x as fast
   * (benchmarks/README.md).
   */
  static final String CREATE_PURCHASED =
      """
      CYPHER replan=skip
      UNWIND $rows AS row
      MATCH (u:User {user_id: row.user_id})
      UNWIND row.edges AS edge
      MATCH (p:Product {product_id: edge.product_id})
      WITH u, p, edge, size(edge.receipt_ids) AS n,
           reduce(lo = edge.timestamps[0], t IN edge.timestamps | CASE WHEN t < lo THEN t ELSE lo END)
             AS firstMs,
           reduce(hi = edge.timestamps[0], t IN edge.timestamps | CASE WHEN t > hi THEN t ELSE hi END)
             AS lastMs
      CREATE (u)-[:PURCHASED {
          receipt_ids: edge.receipt_ids,
          timestamps: [t IN edge.timestamps | datetime({epochMillis: t})],
          times: n,
          last: datetime({epochMillis: lastMs}),
          avg_interval_days: CASE WHEN n < 2 THEN 0.0
              ELSE (lastMs - firstMs) / 86400000.0 / (n - 1) END,
          repurchase_likelihood: CASE WHEN n < 2 THEN 0.0 ELSE toFloat(n - 1) / n END}]->(p)
      """;

  /** Rows: user_id, edges (retailer_id, receipt_ids, timestamps). As {@link #CREATE_PURCHASED}. */
  static final String CREATE_SHOPS_AT =
      createAggregate("SHOPS_AT", "Retailer", "retailer_id", "frequency");

  /** Rows: user_id, edges (category_id, receipt_ids, timestamps). As {@link #CREATE_PURCHASED}. */
  static final String CREATE_SHOPS_IN =
      createAggregate("SHOPS_IN", "Category", "category_id", "purchase_count");

  private static String createAggregate(String type, String label, String key, String count) {
    return """
        CYPHER replan=skip
        UNWIND $rows AS row
        MATCH (u:User {user_id: row.user_id})
        UNWIND row.edges AS edge
        MATCH (x:%2$s {%3$s: edge.%3$s})
        CREATE (u)-[:%1$s {receipt_ids: edge.receipt_ids, timestamps: edge.timestamps,
                           %4$s: size(edge.receipt_ids)}]->(x)
        """
        .formatted(type, label, key, count);
  }

  private static String staleAggregates(String type, String label, String key, String count) {
    return """
        CYPHER replan=skip
        UNWIND $rows AS row
        MATCH (:User {user_id: row.user_id})-[r:%1$s]->(x:%2$s)
        WHERE NOT x.%3$s IN row.%3$ss
        WITH r, size(coalesce(r.receipt_ids, [])) AS had,
             [i IN range(0, size(coalesce(r.receipt_ids, [])) - 1)
              WHERE r.timestamps[i] < row.window_start] AS keep
        FOREACH (gone IN CASE WHEN size(keep) = 0 THEN [r] ELSE [] END | DELETE gone)
        WITH r, had, keep
        WHERE size(keep) > 0 AND size(keep) < had
        SET r.receipt_ids = [i IN keep | r.receipt_ids[i]],
            r.timestamps = [i IN keep | r.timestamps[i]],
            r.%4$s = size(keep)
        """
        .formatted(type, label, key, count);
  }

  private static String mergeAggregate(String type, String label, String key, String count) {
    return """
        CYPHER replan=skip
        UNWIND $rows AS row
        MATCH (u:User {user_id: row.user_id})
        MATCH (x:%2$s {%3$s: row.%3$s})
        MERGE (u)-[r:%1$s]->(x)
        ON CREATE SET r.receipt_ids = row.receipt_ids, r.timestamps = row.timestamps,
                      r.%4$s = size(row.receipt_ids)
        ON MATCH SET r.legacy_count = CASE WHEN r.receipt_ids IS NULL
                                           THEN coalesce(r.legacy_count, r.%4$s)
                                           ELSE r.legacy_count END
        ON MATCH SET r.receipt_ids = coalesce(r.receipt_ids, []),
                     r.timestamps = coalesce(r.timestamps, [])
        WITH r, row,
             CASE WHEN row.replace
                  THEN [i IN range(0, size(r.receipt_ids) - 1)
                        WHERE r.timestamps[i] < row.window_start]
                  ELSE range(0, size(r.receipt_ids) - 1) END AS keep
        WITH r, row, [i IN keep | r.receipt_ids[i]] AS ids, [i IN keep | r.timestamps[i]] AS times
        WITH r, row, ids, times,
             [j IN range(0, size(row.receipt_ids) - 1) WHERE NOT row.receipt_ids[j] IN ids] AS fresh
        WHERE size(fresh) > 0
           OR (row.replace
               AND (size(ids) + size(fresh) <> size(r.receipt_ids) OR r.legacy_count IS NOT NULL))
        SET r.receipt_ids = ids + [j IN fresh | row.receipt_ids[j]],
            r.timestamps = times + [j IN fresh | row.timestamps[j]],
            r.legacy_count = CASE WHEN row.replace THEN null ELSE r.legacy_count END
        SET r.%4$s = coalesce(r.legacy_count, 0) + size(r.receipt_ids)
        """
        .formatted(type, label, key, count);
  }

  /** All batch statements, for planning them once at start-up. */
  static final List<String> BATCH_STATEMENTS =
      List.of(
          MERGE_USERS,
          MERGE_CATEGORIES,
          MERGE_PRODUCTS,
          MERGE_RETAILERS,
          LINK_PRODUCT_CATEGORIES,
          MERGE_PURCHASED,
          DELETE_STALE_SHOPS_AT,
          DELETE_STALE_SHOPS_IN,
          MERGE_SHOPS_AT,
          MERGE_SHOPS_IN,
          CREATE_PURCHASED,
          CREATE_SHOPS_AT,
          CREATE_SHOPS_IN);
}
