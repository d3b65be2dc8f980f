package io.consumergraph.tools.admin;

/** An error answered as {@code {"error": ..., "detail": ...}} with an HTTP status. */
public final class ApiError extends RuntimeException {

  private final int status;
  private final transient Object detail;

  public ApiError(int status, String error, Object detail) {
    super(error, null, false, false);
    this.status = status;
    this.detail = detail;
  }

  public ApiError(int status, String error) {
    this(status, error, null);
  }

  public int status() {
    return status;
  }

  public Object detail() {
    return detail;
  }
}
