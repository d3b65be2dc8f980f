package io.consumergraph.sink.neo4j;

import java.io.IOException;

/** A batch the Neo4j sink could not write; failing the task makes Flink replay it. */
public final class Neo4jSinkException extends IOException {

  private static final long serialVersionUID = 1L;

  public Neo4jSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
