package io.consumergraph.operators.poll;

import org.apache.flink.api.connector.source.SourceSplit;

/** The single split of a {@link PollingSource}: whoever holds it polls. */
public final class PollingSplit implements SourceSplit {

  static final String ID = "poll";

  @Override
  public String splitId() {
    return ID;
  }
}
