package io.consumergraph.sink.neo4j;

import java.io.IOException;

/**
 * Neo4j refused a batch for something in its data ({@link Neo4jErrorClassifier.Verdict#REJECT}):
 * the writer splits the batch to find the update at fault.
 */
final class RejectedBatchException extends IOException {

  private static final long serialVersionUID = 1L;

  private final String error;

  RejectedBatchException(String what, String error, Throwable cause) {
    super("Neo4j rejected '" + what + "': " + error, cause);
    this.error = error;
  }

  /** Neo4j's error code and message. */
  String error() {
    return error;
  }
}
