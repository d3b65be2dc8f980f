package io.consumergraph.flags;

import java.io.Serializable;
import java.util.Objects;

/**
 * A reference from the flag document to an external id list ({@code allowedS3IDs}): only the
 * resolved location is kept in the document; the ids themselves are streamed by {@link
 * IdListLoader} and routed to the keyed state of each user. {@link #key()} names the list in that
 * state.
 */
public record IdListRef(String reference, DocumentLocation location) implements Serializable {

  public IdListRef {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(location, "location");
  }

  /** The list's stable key: its resolved location. Shared by every segment naming the list. */
  public String key() {
    return location.toString();
  }
}
