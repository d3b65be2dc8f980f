package io.consumergraph.flags;

import java.util.List;

/** A flag document that cannot be used, with every problem found and where it is. */
public final class FlagDocumentException extends Exception {

  private static final long serialVersionUID = 1L;

  private final List<String> errors;

  public FlagDocumentException(List<String> errors) {
    super("invalid flag document: " + String.join("; ", errors));
    this.errors = List.copyOf(errors);
  }

  /** Each problem as {@code <path>: <what is wrong>}, in document order. */
  public List<String> errors() {
    return errors;
  }
}
