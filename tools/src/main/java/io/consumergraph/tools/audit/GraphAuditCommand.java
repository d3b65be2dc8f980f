package io.consumergraph.tools.audit;

import io.consumergraph.tools.neo4j.Neo4jOptions;
import io.consumergraph.tools.neo4j.Neo4jOptions.GraphUnavailableException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.neo4j.driver.Driver;
import org.neo4j.driver.exceptions.Neo4jException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code graph-audit} command: the runbook's metrics, the graph invariants and a verdict. */
@Command(
    name = "graph-audit",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    exitCodeOnInvalidInput = GraphAuditCommand.EXIT_UNAVAILABLE,
    exitCodeOnExecutionException = GraphAuditCommand.EXIT_UNAVAILABLE,
    description = {
      "Audits the purchase graph read-only: node and relationship counts, the backfill",
      "runbook's metrics, every invariant of the graph contract, and a verdict.",
      "The Neo4j password is read from NEO4J_PASSWORD only."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:HEALTHY",
      "1:WARN (legacy counts awaiting adoption, orphans, future timestamps)",
      "2:CRITICAL (duplicate ids, counts or last that disagree with the ids, misaligned"
          + " timestamps)",
      "3:cannot connect, bad flags or a bad --compare file"
    })
public final class GraphAuditCommand implements Callable<Integer> {

  public static final int EXIT_UNAVAILABLE = 3;

  @Spec CommandSpec spec;

  @Mixin Neo4jOptions neo4j;

  @Option(names = "--json", description = "Print the report as JSON instead of a table.")
  boolean json;

  @Option(
      names = "--out",
      paramLabel = "FILE",
      description = "Also write the JSON report to FILE (a baseline for --compare).")
  Path out;

  @Option(
      names = "--compare",
      paramLabel = "BASELINE",
      description = "A JSON report of an earlier audit: print each figure before/after/delta.")
  Path compare;

  @Option(
      names = "--now",
      paramLabel = "ISO",
      description = "Timestamps after this instant count as future (default: the clock).")
  String now;

  @Option(
      names = "--examples",
      paramLabel = "N",
      defaultValue = "5",
      description = "Example ids per broken invariant, 0..100 (default: ${DEFAULT-VALUE}).")
  int examples;

  private final Map<String, String> env;
  private final Clock clock;

  public GraphAuditCommand() {
    this(System.getenv(), Clock.systemUTC());
  }

  public GraphAuditCommand(Map<String, String> env, Clock clock) {
    this.env = env;
    this.clock = clock;
  }

  @Override
  public Integer call() {
    PrintWriter err = spec.commandLine().getErr();
    Instant reference;
    try {
      reference = now == null ? clock.instant() : parseInstant(now);
    } catch (DateTimeParseException e) {
      return fail(err, "--now " + now + " is not an ISO-8601 instant (e.g. 2026-05-01T00:00:00Z)");
    }
    if (examples < 0 || examples > 100) {
      return fail(err, "--examples must be 0..100");
    }
    AuditJson.Baseline baseline = null;
    if (compare != null) {
      try {
        baseline = AuditJson.read(compare);
      } catch (AuditJson.BadBaselineException e) {
        return fail(err, e.getMessage());
      }
    }
    AuditReport report;
    try (Driver driver = neo4j.connect(env)) {
      report = new GraphAudit(driver, examples, clock).run(reference);
    } catch (GraphUnavailableException e) {
      return fail(err, e.getMessage());
    } catch (Neo4jException e) {
      return fail(err, "audit query failed on " + neo4j.uri() + ": " + e.getMessage());
    }
    List<AuditComparison.Row> comparison =
        baseline == null ? null : AuditComparison.rows(baseline.figures(), report.figures());
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.print(
        json
            ? AuditJson.write(report, comparison)
            : AuditTable.render(report, baseline, comparison));
    stdout.flush();
    if (out != null) {
      try {
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) {
          Files.createDirectories(parent);
        }
        Files.writeString(out, AuditJson.write(report, comparison));
      } catch (IOException e) {
        return fail(err, "cannot write " + out + ": " + e.getMessage());
      }
    }
    return report.verdict().exitCode();
  }

  static Instant parseInstant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return OffsetDateTime.parse(text).toInstant();
    }
  }

  private static int fail(PrintWriter err, String message) {
    err.println("error: " + message);
    err.flush();
    return EXIT_UNAVAILABLE;
  }
}
