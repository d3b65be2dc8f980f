package io.consumergraph.tools.backfill;

import java.io.PrintWriter;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a backfill's progress: a progress bar with rate and ETA on a terminal, otherwise a log line
 * every 1,000 users (and at the end).
 */
public interface ProgressDisplay extends AutoCloseable {

  /** {@code confirmed} ids of {@code total} are sent; {@code sentThisRun} by this run. */
  void update(long confirmed, long total, long sentThisRun);

  @Override
  void close();

  int LOG_EVERY = 1_000;

  static ProgressDisplay forConsole(boolean terminal, PrintWriter out, long total, long done) {
    return terminal ? new Bar(total, done) : new LogLines(out, done);
  }

  /** A progress bar on the terminal (me.tongfei:progressbar). */
  final class Bar implements ProgressDisplay {
    private final ProgressBar bar;

    Bar(long total, long done) {
      bar =
          new ProgressBarBuilder()
              .setTaskName("Backfill")
              .setInitialMax(total)
              .startsFrom(done, Duration.ZERO)
              .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
              .setUnit(" users", 1)
              .showSpeed()
              .setUpdateIntervalMillis(250)
              .build();
    }

    @Override
    public void update(long confirmed, long total, long sentThisRun) {
      bar.stepTo(confirmed);
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  /** Log lines in the runbooks' format, one every {@link #LOG_EVERY} users. */
  final class LogLines implements ProgressDisplay {
    private final PrintWriter out;
    private final long startNanos = System.nanoTime();
    private long lastLogged;
    private boolean loggedEnd;

    LogLines(PrintWriter out, long done) {
      this.out = out;
      this.lastLogged = done / LOG_EVERY;
    }

    @Override
    public void update(long confirmed, long total, long sentThisRun) {
      long bucket = confirmed / LOG_EVERY;
      boolean finished = confirmed == total && !loggedEnd;
      if (bucket > lastLogged || finished) {
        lastLogged = bucket;
        loggedEnd = confirmed == total;
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        out.println(ProgressReport.line(confirmed, total, elapsed, sentThisRun));
        out.flush();
      }
    }

    @Override
    public void close() {
      out.flush();
    }
  }
}
