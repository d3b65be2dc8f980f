package io.consumergraph.job.inspect;

/** The path given is not a readable savepoint or retained checkpoint of the job. */
final class InvalidSnapshotException extends Exception {

  private static final long serialVersionUID = 1L;

  InvalidSnapshotException(String message) {
    super(message);
  }
}
