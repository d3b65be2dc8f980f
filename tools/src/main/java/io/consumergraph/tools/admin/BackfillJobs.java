package io.consumergraph.tools.admin;

import io.consumergraph.tools.backfill.BackfillSender;
import io.consumergraph.tools.backfill.BackfillSender.Outcome;
import io.consumergraph.tools.backfill.BackfillSender.RetryPolicy;
import io.consumergraph.tools.backfill.Pacer;
import io.consumergraph.tools.backfill.QueueSender;
import io.consumergraph.tools.backfill.SendPosition;
import io.consumergraph.tools.backfill.UserIds;
import io.consumergraph.tools.backfill.UserLoadMessages;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs backfill jobs one at a time on a thread of their own and keeps each job's progress in the
 * {@link JobStore}. A job that was queued or running when the service stopped is resumed from its
 * last confirmed position when the service starts again on the same state directory; its request
 * ids are derived from the job and the user, so a message sent twice across a crash is a redelivery
 * to the job.
 */
public final class BackfillJobs implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(BackfillJobs.class);

  /** The settings of a job's messages. */
  public record Settings(double rateLimit, int lookbackDays, boolean force, String priority) {}

  /** A job and what it is doing now (the file holds the same, as of the last batch). */
  public record View(JobState state, double rate, Double etaSeconds) {}

  private final JobStore store;
  private final QueueSender queue;
  private final RetryPolicy retry;
  private final Clock clock;
  private final ExecutorService runner =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "backfill-job");
            t.setDaemon(true);
            return t;
          });
  private final Map<String, JobState> jobs = new LinkedHashMap<>();
  private final Map<String, AtomicBoolean> cancels = new LinkedHashMap<>();
  private final Map<String, long[]> runStats = new LinkedHashMap<>(); // {startNanos, sentThisRun}
  private final AtomicBoolean closing = new AtomicBoolean();
  private String active;

  public BackfillJobs(JobStore store, QueueSender queue, RetryPolicy retry, Clock clock)
      throws IOException {
    this.store = store;
    this.queue = queue;
    this.retry = retry;
    this.clock = clock;
    for (JobState state : store.loadAll()) {
      jobs.put(state.jobId(), state);
    }
    for (JobState state : List.copyOf(jobs.values())) {
      if (!state.finished()) {
        if (active != null) {
          // Only one job runs at a time; a second unfinished one cannot be told from a bug.
          update(with(state, JobState.FAILED, "another job was unfinished at restart"));
          continue;
        }
        LOG.info("Resuming job {} at {} of {} sent", state.jobId(), state.sent(), state.total());
        JobState resumed = withRestart(state);
        update(resumed);
        start(resumed);
      }
    }
  }

  /** Accepts a job; 409 while another one is queued or running. */
  public synchronized JobState submit(UserIds ids, String source, Settings settings)
      throws IOException {
    checkIdle();
    String jobId = UUID.randomUUID().toString();
    store.saveIds(jobId, ids.ids());
    JobState state =
        new JobState(
            jobId,
            JobState.QUEUED,
            source,
            ids.size(),
            ids.duplicates(),
            0,
            List.of(),
            settings.rateLimit(),
            settings.lookbackDays(),
            settings.force(),
            settings.priority(),
            now(),
            null,
            null,
            0,
            null);
    update(state);
    start(state);
    LOG.info("Accepted job {}: {} user ids from {}", jobId, ids.size(), source);
    return state;
  }

  /** Throws 409 when a job is queued or running. */
  public synchronized void checkIdle() {
    if (active != null) {
      throw new ApiError(409, "a backfill job is already running", Map.of("job_id", active));
    }
  }

  public synchronized View get(String jobId) {
    JobState state = jobs.get(jobId);
    if (state == null) {
      throw new ApiError(404, "no such job", Map.of("job_id", jobId));
    }
    return view(state);
  }

  public synchronized List<View> list() {
    List<View> views = new ArrayList<>();
    for (JobState state : jobs.values()) {
      views.add(view(state));
    }
    return views;
  }

  /** Asks a queued or running job to stop; 404 for an unknown job, 409 for a finished one. */
  public synchronized View cancel(String jobId) {
    JobState state = jobs.get(jobId);
    if (state == null) {
      throw new ApiError(404, "no such job", Map.of("job_id", jobId));
    }
    if (state.finished()) {
      throw new ApiError(
          409, "job already finished", Map.of("job_id", jobId, "state", state.state()));
    }
    cancels.get(jobId).set(true);
    LOG.info("Cancel requested for job {}", jobId);
    return view(state);
  }

  /** Waits for the job to end (tests, shutdown). */
  public void awaitIdle(long timeoutMs) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < deadline) {
      synchronized (this) {
        if (active == null) {
          return;
        }
      }
      Thread.sleep(20);
    }
  }

  private void start(JobState state) {
    active = state.jobId();
    cancels.put(state.jobId(), new AtomicBoolean());
    runner.execute(() -> run(state.jobId()));
  }

  private void run(String jobId) {
    JobState state;
    AtomicBoolean cancel;
    synchronized (this) {
      state = jobs.get(jobId);
      cancel = cancels.get(jobId);
    }
    try {
      if (cancel.get()) {
        finish(with(state, JobState.CANCELLED, null));
        return;
      }
      List<String> ids = store.loadIds(jobId);
      if (ids.size() != state.total()) {
        throw new IOException(
            "the ids file of job "
                + jobId
                + " has "
                + ids.size()
                + " ids, expected "
                + state.total());
      }
      JobState running =
          state.with(
              JobState.RUNNING,
              state.next(),
              state.sentBeyond(),
              state.startedAt() == null ? now() : state.startedAt(),
              null,
              state.restarts(),
              null);
      synchronized (this) {
        runStats.put(jobId, new long[] {System.nanoTime(), 0});
        update(running);
      }
      UserLoadMessages messages =
          new UserLoadMessages(
              UserLoadMessages.REASON_BACKFILL,
              state.lookbackDays(),
              state.priority(),
              state.force(),
              UserLoadMessages.requestIdsOf(jobId),
              clock);
      BackfillSender sender =
          new BackfillSender(
              queue,
              new Pacer(state.rateLimit(), Pacer.Ticker.SYSTEM),
              Pacer.batchSize(state.rateLimit()),
              retry,
              messages::body);
      Outcome outcome =
          sender.run(
              ids,
              new SendPosition(state.next(), state.sentBeyond()),
              (position, sentThisRun) -> progress(jobId, position, sentThisRun),
              () -> cancel.get() || closing.get());
      synchronized (this) {
        JobState last = withPosition(jobs.get(jobId), outcome.position());
        switch (outcome.ending()) {
          case COMPLETED -> finish(with(last, JobState.DONE, null));
          case FAILED -> finish(with(last, JobState.FAILED, outcome.error()));
          case STOPPED -> {
            if (cancel.get()) {
              finish(with(last, JobState.CANCELLED, null));
            } else {
              // The service is stopping: the job stays running and resumes at the next start.
              update(last);
              active = null;
              LOG.info("Job {} paused at {} of {} for shutdown", jobId, last.sent(), last.total());
            }
          }
        }
      }
    } catch (Exception e) {
      LOG.error("Job {} failed", jobId, e);
      synchronized (this) {
        finish(with(jobs.get(jobId), JobState.FAILED, e.toString()));
      }
    }
  }

  private synchronized void progress(String jobId, SendPosition position, int sentThisRun) {
    update(withPosition(jobs.get(jobId), position));
    long[] stats = runStats.get(jobId);
    if (stats != null) {
      stats[1] = sentThisRun;
    }
  }

  private synchronized void finish(JobState state) {
    update(state);
    if (state.jobId().equals(active)) {
      active = null;
    }
    LOG.info(
        "Job {} {}: {} of {} sent{}",
        state.jobId(),
        state.state(),
        state.sent(),
        state.total(),
        state.error() == null ? "" : " (" + state.error() + ")");
  }

  private synchronized void update(JobState state) {
    jobs.put(state.jobId(), state);
    store.save(state);
  }

  private View view(JobState state) {
    long[] stats = runStats.get(state.jobId());
    double rate = 0;
    if (stats != null && state.state().equals(JobState.RUNNING)) {
      double seconds = (System.nanoTime() - stats[0]) / 1e9;
      rate = seconds <= 0 ? 0 : stats[1] / seconds;
    }
    Double eta = null;
    if (!state.finished()) {
      double pace = rate > 0 ? Math.min(rate, state.rateLimit()) : state.rateLimit();
      eta = (state.total() - state.sent()) / pace;
    }
    return new View(state, rate, eta);
  }

  private String now() {
    return Instant.now(clock).toString();
  }

  private JobState withPosition(JobState s, SendPosition p) {
    return s.with(
        s.state(),
        p.next(),
        p.sentBeyond(),
        s.startedAt(),
        s.finishedAt(),
        s.restarts(),
        s.error());
  }

  private JobState with(JobState s, String state, String error) {
    boolean finished =
        state.equals(JobState.DONE)
            || state.equals(JobState.FAILED)
            || state.equals(JobState.CANCELLED);
    return s.with(
        state,
        s.next(),
        s.sentBeyond(),
        s.startedAt(),
        finished ? now() : s.finishedAt(),
        s.restarts(),
        error);
  }

  private JobState withRestart(JobState s) {
    return s.with(
        s.state(),
        s.next(),
        s.sentBeyond(),
        s.startedAt(),
        s.finishedAt(),
        s.restarts() + 1,
        s.error());
  }

  /** Stops the running job between batches; it stays unfinished and resumes at the next start. */
  @Override
  public void close() {
    closing.set(true);
    runner.shutdown();
    try {
      if (!runner.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.warn("The backfill job did not stop within 60 s");
        runner.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      runner.shutdownNow();
    }
  }
}
