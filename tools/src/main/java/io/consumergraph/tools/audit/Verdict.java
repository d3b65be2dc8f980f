package io.consumergraph.tools.audit;

/** The audit's health verdict, which is also the command's exit code. */
public enum Verdict {
  HEALTHY(0),
  WARN(1),
  CRITICAL(2);

  private final int exitCode;

  Verdict(int exitCode) {
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  static Verdict of(Severity severity) {
    return severity == Severity.CRITICAL ? CRITICAL : WARN;
  }
}
