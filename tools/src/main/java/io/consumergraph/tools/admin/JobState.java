package io.consumergraph.tools.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * What the state directory keeps of a backfill job, one JSON file per job. {@code next} and {@code
 * sentBeyond} are the confirmed position ({@link io.consumergraph.tools.backfill.SendPosition});
 * the ids are in a file of their own.
 */
public record JobState(
    @JsonProperty("job_id") String jobId,
    @JsonProperty("state") String state,
    @JsonProperty("source") String source,
    @JsonProperty("total") int total,
    @JsonProperty("duplicates") int duplicates,
    @JsonProperty("next") int next,
    @JsonProperty("sent_beyond") List<Integer> sentBeyond,
    @JsonProperty("rate_limit") double rateLimit,
    @JsonProperty("lookback_days") int lookbackDays,
    @JsonProperty("force") boolean force,
    @JsonProperty("priority") String priority,
    @JsonProperty("created_at") String createdAt,
    @JsonProperty("started_at") String startedAt,
    @JsonProperty("finished_at") String finishedAt,
    @JsonProperty("restarts") int restarts,
    @JsonProperty("error") String error) {

  public static final String QUEUED = "queued";
  public static final String RUNNING = "running";
  public static final String DONE = "done";
  public static final String FAILED = "failed";
  public static final String CANCELLED = "cancelled";

  public JobState {
    sentBeyond = sentBeyond == null ? List.of() : List.copyOf(sentBeyond);
  }

  /** This job with its lifecycle replaced; what the request asked for stays as it was. */
  public JobState with(
      String state,
      int next,
      List<Integer> sentBeyond,
      String startedAt,
      String finishedAt,
      int restarts,
      String error) {
    return new JobState(
        jobId,
        state,
        source,
        total,
        duplicates,
        next,
        sentBeyond,
        rateLimit,
        lookbackDays,
        force,
        priority,
        createdAt,
        startedAt,
        finishedAt,
        restarts,
        error);
  }

  public boolean finished() {
    return state.equals(DONE) || state.equals(FAILED) || state.equals(CANCELLED);
  }

  public int sent() {
    return next + sentBeyond.size();
  }
}
