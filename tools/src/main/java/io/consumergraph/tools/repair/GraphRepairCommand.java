package io.consumergraph.tools.repair;

import io.consumergraph.tools.neo4j.Neo4jOptions;
import io.consumergraph.tools.neo4j.Neo4jOptions.GraphUnavailableException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.neo4j.driver.Driver;
import org.neo4j.driver.exceptions.Neo4jException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code graph-repair} command: fixes duplicate ids, wrong counts and wrong last in place. */
@Command(
    name = "graph-repair",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    exitCodeOnInvalidInput = GraphRepairCommand.EXIT_UNAVAILABLE,
    exitCodeOnExecutionException = GraphRepairCommand.EXIT_UNAVAILABLE,
    description = {
      "Repairs in place the edges graph-audit reports CRITICAL and that can be fixed from the",
      "edge alone: duplicate receipt ids (the first occurrence and its timestamp are kept),",
      "times/frequency/purchase_count != size(receipt_ids), PURCHASED last != max(timestamps);",
      "PURCHASED avg_interval_days and repurchase_likelihood are recomputed as the job does.",
      "Edges whose timestamps are misaligned and legacy counts without ids are left alone.",
      "The Neo4j password is read from NEO4J_PASSWORD only."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:repaired (or, with --dry-run, counted) and nothing left that repair cannot fix",
      "1:as 0, but misaligned edges are left (graph-audit lists them)",
      "3:cannot connect, bad flags, or a repair query failed"
    })
public final class GraphRepairCommand implements Callable<Integer> {

  public static final int EXIT_LEFT = 1;
  public static final int EXIT_UNAVAILABLE = 3;
  static final int MAX_BATCH_SIZE = 100_000;

  @Spec CommandSpec spec;

  @Mixin Neo4jOptions neo4j;

  @Option(names = "--dry-run", description = "Count what would be fixed; change nothing.")
  boolean dryRun;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "1000",
      description = "Edges per transaction, 1..100000 (default: ${DEFAULT-VALUE}).")
  int batchSize;

  private final Map<String, String> env;

  public GraphRepairCommand() {
    this(System.getenv());
  }

  public GraphRepairCommand(Map<String, String> env) {
    this.env = env;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
      return fail(err, "--batch-size must be 1.." + MAX_BATCH_SIZE);
    }
    List<RepairCounts> counts;
    try (Driver driver = neo4j.connect(env)) {
      counts = new GraphRepair(driver, batchSize).run(dryRun);
    } catch (GraphUnavailableException e) {
      return fail(err, e.getMessage());
    } catch (Neo4jException e) {
      return fail(err, "repair failed on " + neo4j.uri() + ": " + e.getMessage());
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(render(counts, dryRun, batchSize));
    out.flush();
    return counts.stream().anyMatch(c -> c.misalignedLeft() > 0) ? EXIT_LEFT : 0;
  }

  static String render(List<RepairCounts> counts, boolean dryRun, int batchSize) {
    StringBuilder s = new StringBuilder();
    s.append(
        dryRun
            ? "Graph repair, dry run: nothing is changed\n"
            : "Graph repair in batches of at most " + batchSize + " edges\n");
    String format = "%-10s %10s %10s %10s %10s %12s %12s %10s%n";
    s.append(
        String.format(
            Locale.ROOT,
            format,
            "Type",
            "To repair",
            "Dup ids",
            "Count",
            "Last",
            "Misaligned*",
            "No ids*",
            "Fixed"));
    long edges = 0;
    long fixed = 0;
    long misaligned = 0;
    long legacy = 0;
    for (RepairCounts c : counts) {
      s.append(
          String.format(
              Locale.ROOT,
              format,
              c.kind().name(),
              c.edges(),
              c.duplicates(),
              c.countMismatches(),
              c.kind().isPurchase() ? Long.toString(c.lastMismatches()) : "-",
              c.misalignedLeft(),
              c.kind().isAggregate() ? Long.toString(c.withoutIdsLeft()) : "-",
              c.fixed()));
      edges += c.edges();
      fixed += c.fixed();
      misaligned += c.misalignedLeft();
      legacy += c.withoutIdsLeft();
    }
    s.append("* left alone: misaligned timestamps cannot be matched to their ids;")
        .append(" legacy counts without ids are adopted by a backfill\n");
    s.append(dryRun ? "Would fix " + edges + " edges" : "Fixed " + fixed + " edges")
        .append("; left ")
        .append(misaligned)
        .append(" misaligned and ")
        .append(legacy)
        .append(" legacy edges\n");
    return s.toString();
  }

  private static int fail(PrintWriter err, String message) {
    err.println("error: " + message);
    err.flush();
    return EXIT_UNAVAILABLE;
  }
}
