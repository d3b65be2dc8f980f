package io.consumergraph.tools.repair;

import io.consumergraph.tools.audit.EdgeKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.neo4j.driver.AccessMode;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Query;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;
import org.neo4j.driver.SessionConfig;
import org.neo4j.driver.TransactionConfig;

/**
 * Fixes in place the edge defects the audit reports and that can be fixed from the edge alone:
 * duplicate receipt ids, counts that disagree with the ids, and a PURCHASED {@code last} that is
 * not the latest timestamp. Runs as {@code CALL { ... } IN TRANSACTIONS}, which needs an
 * auto-commit transaction ({@link Session#run}), so no transaction spans more than one batch of
 * edges.
 */
public final class GraphRepair {

  private static final TransactionConfig TX =
      TransactionConfig.builder().withMetadata(Map.of("app", "consumer-graph-repair")).build();

  private final Driver driver;
  private final int batchSize;

  public GraphRepair(Driver driver, int batchSize) {
    this.driver = driver;
    this.batchSize = batchSize;
  }

  /** Counts what would be fixed; with {@code dryRun} false, also fixes it. */
  public List<RepairCounts> run(boolean dryRun) {
    List<RepairCounts> all = new ArrayList<>();
    for (EdgeKind kind : EdgeKind.values()) {
      Record c = count(kind);
      long fixed = dryRun || c.get("edges").asLong() == 0 ? 0 : fix(kind);
      all.add(
          new RepairCounts(
              kind,
              c.get("edges").asLong(),
              c.get("duplicates").asLong(),
              c.get("counts").asLong(),
              c.get("lasts").asLong(),
              c.get("misaligned").asLong(),
              kind.isAggregate() ? c.get("without_ids").asLong() : 0,
              fixed));
    }
    return all;
  }

  private Record count(EdgeKind kind) {
    try (Session session =
        driver.session(SessionConfig.builder().withDefaultAccessMode(AccessMode.READ).build())) {
      return session.executeRead(tx -> tx.run(new Query(RepairCypher.count(kind))).single(), TX);
    }
  }

  private long fix(EdgeKind kind) {
    try (Session session =
        driver.session(SessionConfig.builder().withDefaultAccessMode(AccessMode.WRITE).build())) {
      return session
          .run(new Query(RepairCypher.fix(kind), Map.of("batchSize", batchSize)), TX)
          .single()
          .get("fixed")
          .asLong();
    }
  }
}
