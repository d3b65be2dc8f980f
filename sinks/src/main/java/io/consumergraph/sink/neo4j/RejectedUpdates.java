package io.consumergraph.sink.neo4j;

import io.consumergraph.model.GraphUpdate;
import java.io.IOException;
import java.io.Serializable;

/**
 * Where the graph writer puts an update Neo4j rejects for good: an id too long for its index, a
 * value a constraint refuses. Such an update must not fail its batch: the job would restart from
 * its checkpoint, meet the same update and restart again, and no other user's purchases would land
 * meanwhile. The writer isolates it from its batch, writes the rest, and hands it here.
 *
 * <p>Opened once per writer. {@link Writer#rejected} may be called from the writer's background
 * thread; {@link Writer#flush} is called before a checkpoint may complete and must make what it was
 * given durable, so a rejected update is never lost between its batch and the checkpoint.
 */
public interface RejectedUpdates extends Serializable {

  /** Opens the destination of one writer. */
  Writer open() throws IOException;

  /** One writer's destination. */
  interface Writer extends AutoCloseable {

    /** Takes an update Neo4j refused, with Neo4j's error code and message. */
    void rejected(GraphUpdate update, String error) throws IOException;

    /** Makes every rejected update taken so far durable. */
    void flush() throws IOException;

    @Override
    void close() throws IOException;
  }

  /**
   * No destination: a rejected update fails the writer with Neo4j's error, as an unknown error
   * would. For callers that would rather stop than set an update aside.
   */
  static RejectedUpdates failing() {
    return new Failing();
  }

  /** An id fit for a log line: ids that Neo4j rejects are often kilobytes long. */
  static String shortId(String id) {
    if (id == null) {
      return "null";
    }
    return id.length() <= 80 ? id : id.substring(0, 80) + "... (" + id.length() + " chars)";
  }

  /** The destination of {@link #failing()}. */
  final class Failing implements RejectedUpdates, Writer {

    private static final long serialVersionUID = 1L;

    private Failing() {}

    @Override
    public Writer open() {
      return this;
    }

    @Override
    public void rejected(GraphUpdate update, String error) throws Neo4jSinkException {
      throw new Neo4jSinkException(
          "Neo4j rejected the update of user " + shortId(update.userId()) + " for good: " + error,
          null);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
