package io.consumergraph.sink.neo4j;

import io.consumergraph.model.GraphUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.neo4j.driver.Driver;
import org.neo4j.driver.Session;
import org.neo4j.driver.summary.ProfiledPlan;
import org.neo4j.driver.summary.ResultSummary;

/**
 * Where the sink's batch time goes, statement by statement. Lives in the sink's package (on the
 * benchmark classpath only) to fold batches with the sink's own package-private {@link GraphBatch},
 * so the rows and Cypher are exactly what the writer sends. Each step runs in its own transaction
 * here, which is close enough to attribute time; the writer runs them in one.
 */
public final class SinkStepProfile {

  private SinkStepProfile() {}

  /** Milliseconds and rows per step kind over all batches, plus db hits when {@code profile}. */
  public static Map<String, long[]> run(
      Driver driver, List<GraphUpdate> updates, int batchRows, boolean profile) {
    Map<String, long[]> perKind = new TreeMap<>();
    List<GraphUpdate> buffer = new ArrayList<>();
    int rows = 0;
    try (Session session = driver.session()) {
      for (GraphUpdate update : updates) {
        buffer.add(update);
        rows += GraphBatch.itemRows(update);
        if (rows >= batchRows) {
          writeBatch(session, GraphBatch.fold(buffer), perKind, profile);
          buffer.clear();
          rows = 0;
        }
      }
      if (!buffer.isEmpty()) {
        writeBatch(session, GraphBatch.fold(buffer), perKind, profile);
      }
    }
    return perKind;
  }

  private static void writeBatch(
      Session session, GraphBatch batch, Map<String, long[]> perKind, boolean profile) {
    Set<String> newUsers = Set.of();
    for (GraphBatch.Step step : batch.steps()) {
      // The writer's statements: the users step says which users are new, their edges are created.
      List<GraphBatch.Statement> statements =
          step.kind().equals(GraphBatch.USERS)
              ? List.of(new GraphBatch.Statement(step.cypher(), step.rows()))
              : step.statements(newUsers);
      long[] figures = perKind.computeIfAbsent(step.kind(), k -> new long[4]);
      for (GraphBatch.Statement statement : statements) {
        long started = System.nanoTime();
        List<org.neo4j.driver.Record> records = new ArrayList<>();
        ResultSummary summary =
            session.executeWrite(
                tx -> {
                  var result =
                      tx.run(
                          (profile ? "PROFILE " : "") + statement.cypher(),
                          Map.of("rows", statement.rows()));
                  records.addAll(result.list());
                  return result.consume();
                });
        figures[0] += System.nanoTime() - started;
        figures[1] += statement.rows().size();
        figures[2]++;
        if (profile && summary.hasProfile()) {
          figures[3] += dbHits(summary.profile());
        }
        if (step.kind().equals(GraphBatch.USERS)) {
          newUsers = Set.copyOf(records.stream().map(r -> r.get(0).asString()).toList());
        }
      }
    }
  }

  private static long dbHits(ProfiledPlan plan) {
    long hits = plan.dbHits();
    for (ProfiledPlan child : plan.children()) {
      hits += dbHits((ProfiledPlan) child);
    }
    return hits;
  }

  /** The plan of one statement as text, operator per line with db hits and rows. */
  public static String plan(Driver driver, String kind, List<GraphUpdate> updates) {
    GraphBatch batch = GraphBatch.fold(updates);
    for (GraphBatch.Step step : batch.steps()) {
      if (step.kind().equals(kind)) {
        try (Session session = driver.session()) {
          ResultSummary summary =
              session.executeWrite(
                  tx -> tx.run("PROFILE " + step.cypher(), Map.of("rows", step.rows())).consume());
          StringBuilder text = new StringBuilder();
          describe(summary.profile(), 0, text);
          return text.toString();
        }
      }
    }
    return "(no " + kind + " step)";
  }

  private static void describe(ProfiledPlan plan, int depth, StringBuilder text) {
    text.append("  ".repeat(depth))
        .append(plan.operatorType())
        .append(" rows=")
        .append(plan.records())
        .append(" dbHits=")
        .append(plan.dbHits())
        .append('\n');
    for (ProfiledPlan child : plan.children()) {
      describe((ProfiledPlan) child, depth + 1, text);
    }
  }
}
