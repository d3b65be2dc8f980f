package io.consumergraph.tools.backfill;

import io.consumergraph.tools.backfill.BackfillSender.Ending;
import io.consumergraph.tools.backfill.BackfillSender.Outcome;
import io.consumergraph.tools.backfill.BackfillSender.RetryPolicy;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import software.amazon.awssdk.services.sqs.SqsClient;

/** The {@code backfill} command: sends a user_load_request per user id of a file, paced. */
@Command(
    name = "backfill",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Sends one user_load_request message per user id to the bulk SQS queue, paced to a rate.",
      "The user file holds one id a line, or is CSV with a header row that has a user_id column."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every id was sent (or the dry run found the input valid)",
      "1:sending failed; a resume file was written",
      "2:bad flags or bad input (nothing was sent)",
      "130:interrupted; a resume file was written"
    })
public final class BackfillCommand implements Callable<Integer> {

  public static final String QUEUE_URL_ENV = "CONSUMER_GRAPH_QUEUE_URL";
  public static final int EXIT_FAILED = 1;
  public static final int EXIT_INPUT = 2;
  public static final int EXIT_INTERRUPTED = 130;
  static final double MAX_RATE = 10_000;

  @Spec CommandSpec spec;

  @Option(
      names = "--user-file",
      paramLabel = "FILE",
      description = "Newline-delimited user ids, or CSV with a user_id header column.")
  Path userFile;

  @Option(
      names = "--rate-limit",
      paramLabel = "N",
      defaultValue = "10",
      description = "Messages per second (default: ${DEFAULT-VALUE}).")
  double rateLimit;

  @Option(
      names = "--lookback-days",
      paramLabel = "DAYS",
      defaultValue = "365",
      description = "Days of history to load, 1..730 (default: ${DEFAULT-VALUE}).")
  int lookbackDays;

  @Option(names = "--dry-run", description = "Validate the input and report; send nothing.")
  boolean dryRun;

  @Option(
      names = "--queue-url",
      paramLabel = "URL",
      description = "The bulk queue (default: $" + QUEUE_URL_ENV + ").")
  String queueUrl;

  @Option(
      names = "--endpoint-url",
      paramLabel = "URL",
      description = "An SQS endpoint other than AWS's, e.g. ElasticMQ on http://localhost:9324.")
  URI endpointUrl;

  @Option(
      names = "--region",
      paramLabel = "REGION",
      description = "AWS region (default: the queue URL's, else the SDK's default chain).")
  String region;

  @Option(
      names = "--resume-from",
      paramLabel = "FILE|LINE|ID",
      description =
          "Continue a backfill: a resume file written by a stopped run, or the line number"
              + " (plain digits or line:N) or user id (id:X) of the user file to start at.")
  String resumeFrom;

  @Option(
      names = "--resume-file",
      paramLabel = "FILE",
      description = "Where a stopped run writes its resume file (default: <user-file>.resume).")
  Path resumeFile;

  @Option(names = "--force", description = "Load users even if they were loaded recently.")
  boolean force;

  @Option(
      names = "--priority",
      paramLabel = "P",
      defaultValue = "low",
      description = "low, normal or high (default: ${DEFAULT-VALUE}).")
  String priority;

  @Option(
      names = "--max-attempts",
      paramLabel = "N",
      defaultValue = "6",
      description = "Attempts per batch before the run stops (default: ${DEFAULT-VALUE}).")
  int maxAttempts;

  private final Map<String, String> env;
  private final BooleanSupplier terminal;

  public BackfillCommand() {
    this(System.getenv(), () -> System.console() != null);
  }

  public BackfillCommand(Map<String, String> env, BooleanSupplier terminal) {
    this.env = env;
    this.terminal = terminal;
  }

  @Override
  public Integer call() throws IOException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    validateFlags();
    Input input;
    try {
      input = input(out);
    } catch (InvalidUserIdsException e) {
      err.println("error: " + e.describe(20));
      err.flush();
      return EXIT_INPUT;
    }
    UserIds ids = input.ids;
    int toSend = ids.size() - input.start.confirmed();
    out.printf(
        Locale.ROOT,
        "Read %,d user ids from %s (%,d duplicates skipped, %,d empty lines)%n",
        ids.size(),
        input.what,
        ids.duplicates(),
        ids.emptyLines());
    if (input.start.confirmed() > 0) {
      out.printf(
          Locale.ROOT,
          "Resuming: %,d already sent, %,d to send%n",
          input.start.confirmed(),
          toSend);
    }
    UserLoadMessages messages =
        new UserLoadMessages(
            UserLoadMessages.REASON_BACKFILL,
            lookbackDays,
            priority,
            force,
            UserLoadMessages.randomRequestIds(),
            Clock.systemUTC());
    String queue = queueUrl != null ? queueUrl : env.get(QUEUE_URL_ENV);
    if (dryRun) {
      out.printf(
          Locale.ROOT,
          "Dry run: would send %,d messages to %s at %s/s in batches of %d, taking about %s%n",
          toSend,
          queue == null ? "(no queue URL given)" : queue,
          rateText(),
          Pacer.batchSize(rateLimit),
          ProgressReport.duration(Duration.ofMillis((long) (toSend * 1000 / rateLimit))));
      if (toSend > 0) {
        out.println("First message: " + messages.body(ids.ids().get(input.start.next())));
      }
      out.println("Dry run: nothing was sent.");
      out.flush();
      return 0;
    }
    if (queue == null || queue.isBlank()) {
      throw new ParameterException(
          spec.commandLine(), "no queue URL: pass --queue-url or set " + QUEUE_URL_ENV);
    }
    return send(input, queue, messages, out, err);
  }

  private int send(
      Input input, String queue, UserLoadMessages messages, PrintWriter out, PrintWriter err)
      throws IOException {
    UserIds ids = input.ids;
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              stop.set(true);
              try {
                // Let the run finish its batch and write the resume file before the JVM exits.
                finished.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "backfill-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    long started = 0;
    Outcome outcome;
    try {
      try (SqsClient sqs = AwsClients.sqs(endpointUrl, region, queue);
          QueueSender sender = new SqsQueueSender(sqs, queue, false);
          ProgressDisplay progress =
              ProgressDisplay.forConsole(
                  terminal.getAsBoolean(), out, ids.size(), input.start.confirmed())) {
        BackfillSender backfill =
            new BackfillSender(
                sender,
                new Pacer(rateLimit, Pacer.Ticker.SYSTEM),
                Pacer.batchSize(rateLimit),
                new RetryPolicy(maxAttempts, 200, 5_000),
                messages::body);
        started = System.nanoTime(); // the rate is the sending's, not the client's start-up
        outcome =
            backfill.run(
                ids.ids(),
                input.start,
                (position, sentThisRun) ->
                    progress.update(position.confirmed(), ids.size(), sentThisRun),
                stop::get);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
      int remaining = ids.size() - outcome.position().confirmed();
      out.printf(
          Locale.ROOT,
          "Summary: sent %,d, skipped duplicates %,d, failed %,d, remaining %,d, elapsed %s, rate %s%n",
          outcome.sentThisRun(),
          ids.duplicates(),
          outcome.failedEntries(),
          remaining,
          ProgressReport.duration(elapsed),
          ProgressReport.rate(outcome.sentThisRun(), elapsed));
      if (outcome.ending() == Ending.COMPLETED) {
        if (input.fromResumeFile && Files.deleteIfExists(input.resumeFile)) {
          out.println("Backfill complete; removed resume file " + input.resumeFile);
        }
        out.flush();
        return 0;
      }
      ResumeFile.write(
          input.resumeFile,
          ids.ids(),
          outcome.position(),
          String.format(
              Locale.ROOT,
              "%d of %d sent from %s; the user ids below are the rest, in order",
              outcome.position().confirmed(),
              ids.size(),
              input.what));
      if (outcome.ending() == Ending.FAILED) {
        err.println("error: " + outcome.error());
      } else {
        err.println("Interrupted.");
      }
      err.printf(Locale.ROOT, "Wrote %,d remaining user ids to %s%n", remaining, input.resumeFile);
      err.println("Resume with:");
      err.println("  " + resumeCommand(input.resumeFile, queue));
      err.flush();
      out.flush();
      return outcome.ending() == Ending.FAILED ? EXIT_FAILED : EXIT_INTERRUPTED;
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it is what stopped the run
      }
    }
  }

  private void validateFlags() {
    if (!(rateLimit > 0) || rateLimit > MAX_RATE) {
      throw new ParameterException(
          spec.commandLine(),
          "--rate-limit must be more than 0 and at most " + (int) MAX_RATE + ", got " + rateText());
    }
    if (lookbackDays < 1 || lookbackDays > UserLoadMessages.MAX_LOOKBACK_DAYS) {
      throw new ParameterException(
          spec.commandLine(),
          "--lookback-days must be within 1.."
              + UserLoadMessages.MAX_LOOKBACK_DAYS
              + ", got "
              + lookbackDays);
    }
    if (!UserLoadMessages.PRIORITIES.contains(priority)) {
      throw new ParameterException(
          spec.commandLine(), "--priority must be low, normal or high, got '" + priority + "'");
    }
    if (maxAttempts < 1 || maxAttempts > 100) {
      throw new ParameterException(
          spec.commandLine(), "--max-attempts must be within 1..100, got " + maxAttempts);
    }
  }

  private String rateText() {
    return rateLimit == Math.rint(rateLimit)
        ? Long.toString((long) rateLimit)
        : Double.toString(rateLimit);
  }

  /** What to send: the ids, where to start, where a stopped run writes its resume file. */
  private record Input(
      UserIds ids, SendPosition start, String what, Path resumeFile, boolean fromResumeFile) {}

  private Input input(PrintWriter out) throws IOException, InvalidUserIdsException {
    if (resumeFrom != null && ResumeFile.isResumeFile(Path.of(resumeFrom))) {
      Path file = Path.of(resumeFrom);
      if (userFile != null) {
        out.println("Resuming from " + file + "; --user-file " + userFile + " is not read");
      }
      return new Input(
          ResumeFile.read(file),
          SendPosition.START,
          "resume file " + file,
          resumeFile != null ? resumeFile : file,
          true);
    }
    if (userFile == null) {
      throw new ParameterException(
          spec.commandLine(), "--user-file is required (or --resume-from a resume file)");
    }
    UserIds ids = UserFileReader.read(userFile);
    Path target =
        resumeFile != null
            ? resumeFile
            : userFile.resolveSibling(userFile.getFileName() + ".resume");
    SendPosition start = resumeFrom == null ? SendPosition.START : startOf(ids, resumeFrom);
    return new Input(ids, start, "user file " + userFile, target, false);
  }

  /** The position a {@code --resume-from LINE|ID} names: that line's (or id's) id is sent. */
  private SendPosition startOf(UserIds ids, String from) throws InvalidUserIdsException {
    if (Files.exists(Path.of(from))) {
      throw new InvalidUserIdsException("--resume-from " + from + " is not a backfill resume file");
    }
    Integer line = null;
    String id = null;
    if (from.startsWith("line:")) {
      line = parseLine(from.substring(5));
    } else if (from.startsWith("id:")) {
      id = from.substring(3);
    } else if (from.matches("[0-9]{1,9}")) {
      if (ids.ids().contains(from)) {
        throw new InvalidUserIdsException(
            "--resume-from "
                + from
                + " is both a line number and a user id: write line:"
                + from
                + " or id:"
                + from);
      }
      line = parseLine(from);
    } else {
      id = from;
    }
    if (line != null) {
      int[] lines = ids.lines();
      for (int i = 0; i < lines.length; i++) {
        if (lines[i] >= line) {
          return new SendPosition(i, List.of());
        }
      }
      throw new InvalidUserIdsException(
          "--resume-from line " + line + " is after the last user id of the file");
    }
    int index = ids.ids().indexOf(id);
    if (index < 0) {
      throw new InvalidUserIdsException("--resume-from: user id '" + id + "' is not in the file");
    }
    return new SendPosition(index, List.of());
  }

  private int parseLine(String text) throws InvalidUserIdsException {
    try {
      int line = Integer.parseInt(text);
      if (line >= 1) {
        return line;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidUserIdsException("--resume-from: '" + text + "' is not a line number");
  }

  private String resumeCommand(Path resume, String queue) {
    List<String> args = new ArrayList<>();
    args.add("./bin/backfill");
    args.add("--resume-from");
    args.add(resume.toString());
    args.add("--queue-url");
    args.add(queue);
    if (endpointUrl != null) {
      args.add("--endpoint-url");
      args.add(endpointUrl.toString());
    }
    if (region != null) {
      args.add("--region");
      args.add(region);
    }
    args.add("--rate-limit");
    args.add(rateText());
    args.add("--lookback-days");
    args.add(Integer.toString(lookbackDays));
    args.add("--priority");
    args.add(priority);
    if (force) {
      args.add("--force");
    }
    if (resumeFile != null && !resumeFile.equals(resume)) {
      args.add("--resume-file");
      args.add(resumeFile.toString());
    }
    return String.join(" ", args.stream().map(BackfillCommand::quoted).toList());
  }

  private static String quoted(String arg) {
    return arg.matches("[A-Za-z0-9_./:=@%+-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'";
  }
}
