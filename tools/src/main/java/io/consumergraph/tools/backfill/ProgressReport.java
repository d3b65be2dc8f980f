package io.consumergraph.tools.backfill;

import java.time.Duration;
import java.util.Locale;

/**
 * Formats progress the way the runbooks quote it: {@code Sent 5000/75000 (6.7%), elapsed: 8m20s}.
 */
public final class ProgressReport {

  private ProgressReport() {}

  /** The line for {@code sent} of {@code total}; the rate counts {@code sentThisRun} only. */
  public static String line(long sent, long total, Duration elapsed, long sentThisRun) {
    double percent = total == 0 ? 100.0 : 100.0 * sent / total;
    return String.format(
        Locale.ROOT,
        "Sent %d/%d (%.1f%%), elapsed: %s, rate: %s",
        sent,
        total,
        percent,
        duration(elapsed),
        rate(sentThisRun, elapsed));
  }

  /** A rate in messages per second, e.g. {@code 9.9/s}. */
  public static String rate(long sent, Duration elapsed) {
    return String.format(Locale.ROOT, "%.1f/s", perSecond(sent, elapsed));
  }

  public static double perSecond(long sent, Duration elapsed) {
    long nanos = elapsed.toNanos();
    return nanos <= 0 ? 0.0 : sent * 1e9 / nanos;
  }

  /** A duration to the second as Go prints it: {@code 42s}, {@code 8m20s}, {@code 2h5m0s}. */
  public static String duration(Duration d) {
    long s = Math.round(d.toMillis() / 1000.0);
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    if (h > 0) {
      return h + "h" + m + "m" + sec + "s";
    }
    if (m > 0) {
      return m + "m" + sec + "s";
    }
    return sec + "s";
  }
}
