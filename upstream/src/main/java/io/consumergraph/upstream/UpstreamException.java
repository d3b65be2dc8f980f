package io.consumergraph.upstream;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * A failed upstream call. {@link #retryable()} says whether trying again may help: 429, 5xx,
 * timeouts and connection errors are retryable; other 4xx and malformed responses are not.
 *
 * <p>The clients never retry on their own; the Flink async I/O retry strategy decides, with {@link
 * #isRetryable(Throwable)} as its exception predicate, so that retries are bounded and visible in
 * one place.
 */
public final class UpstreamException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The status of a failure that got no HTTP response (timeout, connection error). */
  public static final int NO_STATUS = -1;

  private final UpstreamService service;
  private final int statusCode;
  private final boolean retryable;
  private final boolean timeout;

  private UpstreamException(
      UpstreamService service,
      int statusCode,
      boolean retryable,
      boolean timeout,
      String message,
      Throwable cause) {
    super(service + ": " + message, cause);
    this.service = service;
    this.statusCode = statusCode;
    this.retryable = retryable;
    this.timeout = timeout;
  }

  /** An error status from the service; retryable for 429 and 5xx. */
  public static UpstreamException status(UpstreamService service, int status, String detail) {
    boolean retryable = status == 429 || status >= 500;
    return new UpstreamException(
        service, status, retryable, false, "HTTP " + status + " " + detail, null);
  }

  /** The request timed out; retryable. */
  public static UpstreamException timeout(UpstreamService service, String detail, Throwable cause) {
    return new UpstreamException(service, NO_STATUS, true, true, "timed out: " + detail, cause);
  }

  /** The request could not be sent or its response read (connection refused, reset); retryable. */
  public static UpstreamException connection(
      UpstreamService service, String detail, Throwable cause) {
    return new UpstreamException(
        service, NO_STATUS, true, false, "connection failed: " + detail + ": " + cause, cause);
  }

  /** The service answered, but not as the contract says; retrying will not help. */
  public static UpstreamException malformed(
      UpstreamService service, String detail, Throwable cause) {
    return new UpstreamException(
        service, 200, false, false, "malformed response: " + detail, cause);
  }

  public UpstreamService service() {
    return service;
  }

  /** The HTTP status, or {@link #NO_STATUS} when no response arrived. */
  public int statusCode() {
    return statusCode;
  }

  public boolean retryable() {
    return retryable;
  }

  public boolean isTimeout() {
    return timeout;
  }

  /**
   * Whether a failure of a client future is worth retrying: an {@link UpstreamException} that is
   * {@link #retryable()}, looked for through {@link CompletionException} and {@link
   * ExecutionException} wrappers. Anything else (a bug, a cancellation) is not.
   */
  public static boolean isRetryable(Throwable failure) {
    UpstreamException e = find(failure);
    return e != null && e.retryable();
  }

  /** The {@link UpstreamException} behind a future's failure, or null. */
  public static UpstreamException find(Throwable failure) {
    Throwable t = failure;
    while (t instanceof CompletionException || t instanceof ExecutionException) {
      if (t.getCause() == null) {
        break;
      }
      t = t.getCause();
    }
    return t instanceof UpstreamException e ? e : null;
  }
}
