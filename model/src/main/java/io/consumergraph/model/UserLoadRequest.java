package io.consumergraph.model;

/**
 * A validated {@code user_load_request}: load this user's purchase history (Purchase History API +
 * BTS) and write it as a FullLoad.
 *
 * @param requestId the request's id; a redelivered message carries the same id
 * @param reason why the load was asked for, e.g. {@code batch_backfill} or {@code enrollment}
 * @param lookbackDays how far back to load
 * @param priority {@code low}, {@code normal} or {@code high}
 * @param force load even when the user was loaded within the loaded-user TTL
 * @param source the queue the request came from
 */
public record UserLoadRequest(
    String requestId,
    String userId,
    String reason,
    long requestedAtMs,
    int lookbackDays,
    String priority,
    boolean force,
    String source) {}
