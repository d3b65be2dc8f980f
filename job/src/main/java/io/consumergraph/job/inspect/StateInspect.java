package io.consumergraph.job.inspect;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code state-inspect}: prints the job's state from a savepoint or a retained checkpoint, one
 * user's or the totals per operator and state (README, "State inspection").
 */
@Command(
    name = "state-inspect",
    mixinStandardHelpOptions = true,
    description = {
      "Prints consumer-graph state from a savepoint or a retained checkpoint: one user's state in"
          + " every stateful operator (--user), or keys, entries and bytes per operator and state.",
      "Exit codes: 0 done (also when the user has no state), 1 the state could not be read,"
          + " 2 bad arguments or a path that is not a readable snapshot of the job."
    })
public final class StateInspect implements Callable<Integer> {

  /** Exit code: the state could not be read (an incompatible serializer, an I/O error). */
  public static final int READ_FAILED = 1;

  /** Exit code: bad arguments, or a path that is not a savepoint or checkpoint of the job. */
  public static final int BAD_INPUT = 2;

  @Option(
      names = "--path",
      required = true,
      paramLabel = "DIR",
      description =
          "A savepoint directory, a retained checkpoint (chk-N) directory or its _metadata file,"
              + " or a job's checkpoint directory (its latest chk-N is read).")
  Path path;

  @Option(
      names = "--user",
      paramLabel = "USER_ID",
      description = "Print this user's state instead of the totals.")
  String user;

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(
        execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args));
  }

  /** Runs the command with these streams; returns the exit code. */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    return new CommandLine(new StateInspect()).setOut(out).setErr(err).execute(args);
  }

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    Snapshot snapshot;
    try {
      snapshot = Snapshot.locate(path);
    } catch (InvalidSnapshotException e) {
      err.println("state-inspect: " + e.getMessage());
      err.flush();
      return BAD_INPUT;
    }
    for (String state : snapshot.unknownStates()) {
      err.println("state-inspect: not read, unknown to this tool: " + state);
    }
    try {
      if (user != null) {
        UserStateReport report = new UserStateReport(snapshot, user);
        SnapshotScan.scan(snapshot, user, report::add);
        out.print(json ? report.json() : report.table());
      } else {
        StateTotals totals = new StateTotals(snapshot);
        SnapshotScan.scan(snapshot, null, totals::add);
        out.print(json ? totals.json() : totals.table());
      }
      out.flush();
      return 0;
    } catch (Exception e) {
      err.println(
          "state-inspect: cannot read the state in " + snapshot.directory() + ": " + cause(e));
      err.flush();
      return READ_FAILED;
    }
  }

  /** The innermost message: Flink wraps a read failure in job and task exceptions. */
  private static String cause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == e ? String.valueOf(e) : root + " (in " + e + ")";
  }
}
