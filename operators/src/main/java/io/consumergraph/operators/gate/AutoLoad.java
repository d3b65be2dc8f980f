package io.consumergraph.operators.gate;

import io.consumergraph.model.UserLoadRequest;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;

/**
 * Asks for the history load of a user the ingestion flag newly lets through, so that growing a
 * segment or the rollout needs no one to run a backfill.
 *
 * <p>A user is <em>newly enabled</em> when the flag admits it now and the <em>baseline</em> (the
 * first flag document the gate saw, kept in its broadcast state) did not. No list of users exists
 * for a rollout, so the gate finds out at the user's first admitted purchase; an id-list segment's
 * new members are found when their membership arrives, or at their first admitted purchase if it
 * overtook the new document. A user the baseline admitted is the initial backfill's business and
 * gets no request, unless the flag later dropped a purchase of it: then it is enabled anew, and the
 * next admission asks for its load too. No request is forced: the coordinator skips a user loaded
 * within its TTL, as it does any request.
 *
 * <p>Per user the gate keeps one mark: {@link Mark#REQUESTED} once a request was made, {@link
 * Mark#MISSED} once the flag dropped a purchase of a user it had let through (baseline or
 * requested). The mark expires {@link Settings#markTtl()} after it was written; a user that buys
 * again after that is asked for once more, and the coordinator skips the load if the user was
 * loaded within its TTL.
 */
public final class AutoLoad {

  /** The {@code reason} of a newly enabled user's request. */
  public static final String REASON_ENABLED = "auto_enabled";

  /** The {@code reason} of a user's request after the flag dropped purchases of it. */
  public static final String REASON_REENABLED = "auto_reenabled";

  /** The {@code source} of the requests the gate makes (the SQS source sets the queue's). */
  public static final String SOURCE = "user-gate";

  /** What the gate remembers of a user. Stored by name: never rename a constant. */
  public enum Mark {
    REQUESTED,
    MISSED
  }

  /**
   * @param enabled whether the gate asks for loads at all (off without a backfill queue)
   * @param lookbackDays the requests' {@code lookback_days}
   * @param markTtl how long a user's mark is kept
   */
  public record Settings(boolean enabled, int lookbackDays, Duration markTtl)
      implements Serializable {

    public Settings {
      if (enabled && (lookbackDays < 1 || markTtl.isNegative() || markTtl.isZero())) {
        throw new IllegalArgumentException("invalid auto-load settings: " + this);
      }
    }

    /** No requests: a job without a backfill queue, or with auto-load switched off. */
    public static Settings off() {
      return new Settings(false, 1, Duration.ofDays(1));
    }
  }

  private AutoLoad() {}

  /**
   * The request to make when the flag (not an enrollment) admits a user, or null.
   *
   * @param mark the user's mark, or null
   * @param baselineAdmits whether the baseline document admitted the user
   * @param trigger what admitted it (a purchase id, an id-list membership): with the user it makes
   *     the request id, so the same admission replayed after a restore is the same request
   */
  static UserLoadRequest onAdmitted(
      Settings settings,
      String userId,
      Mark mark,
      boolean baselineAdmits,
      String trigger,
      long nowMs) {
    if (mark == Mark.MISSED) {
      return request(settings, userId, REASON_REENABLED, trigger, nowMs);
    }
    if (mark == null && !baselineAdmits) {
      return request(settings, userId, REASON_ENABLED, trigger, nowMs);
    }
    return null;
  }

  /**
   * The user's mark after the flag dropped a purchase of it: {@link Mark#MISSED} if the flag had
   * let it through before, else unchanged (a user never let through needs no record to be loaded
   * once it is).
   */
  static Mark onDropped(Mark mark, boolean baselineAdmits) {
    return mark != null || baselineAdmits ? Mark.MISSED : null;
  }

  private static UserLoadRequest request(
      Settings settings, String userId, String reason, String trigger, long nowMs) {
    String requestId =
        UUID.nameUUIDFromBytes(
                (reason + "\n" + userId + "\n" + trigger).getBytes(StandardCharsets.UTF_8))
            .toString();
    return new UserLoadRequest(
        requestId, userId, reason, nowMs, settings.lookbackDays(), "low", false, SOURCE);
  }
}
