package io.consumergraph.tools;

import io.consumergraph.tools.admin.AdminCommand;
import io.consumergraph.tools.audit.GraphAuditCommand;
import io.consumergraph.tools.backfill.BackfillCommand;
import io.consumergraph.tools.repair.GraphRepairCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The entry point of the tools jar: dispatches to the {@code backfill}, {@code admin}, {@code
 * graph-audit} and {@code graph-repair} commands.
 */
@Command(
    name = "consumer-graph-tools",
    mixinStandardHelpOptions = true,
    description = "Operator tools for consumer-graph.",
    subcommands = {
      BackfillCommand.class,
      AdminCommand.class,
      GraphAuditCommand.class,
      GraphRepairCommand.class
    })
public final class ToolsMain implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The command line with every subcommand, as the jar runs it. */
  public static CommandLine commandLine() {
    return new CommandLine(new ToolsMain()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(
        spec.commandLine(), "name a command: backfill, admin, graph-audit or graph-repair");
  }
}
