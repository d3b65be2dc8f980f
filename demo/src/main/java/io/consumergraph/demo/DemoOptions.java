package io.consumergraph.demo;

/** Command-line options of the demo, parsed with precise errors. */
public record DemoOptions(
    int receipts,
    int users,
    int ratePerSecond,
    int backfillUsers,
    boolean keepRunning,
    int webUiPort,
    int prometheusPort,
    long seed) {

  static final String USAGE =
      String.join(
          "\n",
          "usage: demo [--receipts N] [--users N] [--rate N] [--backfill-users N] [--keep-running]"
              + " [--web-ui-port P] [--prometheus-port P] [--seed S]",
          "  --receipts N      receipts to produce (default 20000)",
          "  --users N         distinct users (default 2000)",
          "  --rate N          receipts per second to produce, 0 = as fast as possible"
              + " (default 0)",
          "  --backfill-users N  users to backfill through SQS after the live stream, 0 = none"
              + " (default 300)",
          "  --keep-running    keep the stack and job up after the summary (Ctrl-C to stop)",
          "  --web-ui-port P   Flink web UI port (default 8081)",
          "  --prometheus-port P  port of the Prometheus scrape endpoint /metrics, 0 = no"
              + " reporter (default 9249)",
          "  --seed S          seed of the synthetic stream (default 42)");

  public static DemoOptions parse(String[] args) {
    int receipts = 20_000;
    int users = 2_000;
    int rate = 0;
    int backfillUsers = 300;
    boolean keepRunning = false;
    int webUiPort = 8081;
    int prometheusPort = 9249;
    long seed = 42;
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--keep-running" -> keepRunning = true;
        case "--receipts" -> receipts = positive(arg, value(args, ++i, arg));
        case "--users" -> users = positive(arg, value(args, ++i, arg));
        case "--rate" -> rate = (int) number(arg, value(args, ++i, arg));
        case "--backfill-users" -> backfillUsers = (int) number(arg, value(args, ++i, arg));
        case "--web-ui-port" -> webUiPort = positive(arg, value(args, ++i, arg));
        case "--prometheus-port" -> prometheusPort = (int) number(arg, value(args, ++i, arg));
        case "--seed" -> seed = number(arg, value(args, ++i, arg));
        case "--help", "-h" -> throw new IllegalArgumentException(USAGE);
        default -> throw new IllegalArgumentException("unknown option '" + arg + "'\n" + USAGE);
      }
    }
    if (rate < 0) {
      throw new IllegalArgumentException("--rate must be >= 0, got " + rate);
    }
    if (backfillUsers < 0) {
      throw new IllegalArgumentException("--backfill-users must be >= 0, got " + backfillUsers);
    }
    if (prometheusPort < 0 || prometheusPort > 65535) {
      throw new IllegalArgumentException(
          "--prometheus-port must be a port number or 0, got " + prometheusPort);
    }
    return new DemoOptions(
        receipts, users, rate, backfillUsers, keepRunning, webUiPort, prometheusPort, seed);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException("missing value for " + flag);
    }
    return args[i];
  }

  private static long number(String flag, String value) {
    try {
      return Long.parseLong(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " expects a number, got '" + value + "'");
    }
  }

  private static int positive(String flag, String value) {
    long n = number(flag, value);
    if (n <= 0 || n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(flag + " must be a positive number, got " + value);
    }
    return (int) n;
  }
}
