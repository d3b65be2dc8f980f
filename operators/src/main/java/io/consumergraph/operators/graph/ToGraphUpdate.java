package io.consumergraph.operators.graph;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.metrics.Counter;

/** Turns a live enriched purchase into the graph update the sink applies (FullLoad=false). */
public final class ToGraphUpdate extends RichMapFunction<EnrichedPurchase, GraphUpdate> {

  private static final long serialVersionUID = 1L;

  private transient Counter incomplete;

  @Override
  public void open(OpenContext openContext) {
    incomplete = getRuntimeContext().getMetricGroup().counter("enrichmentIncomplete");
  }

  @Override
  public GraphUpdate map(EnrichedPurchase purchase) {
    if (!purchase.enrichmentComplete()) {
      incomplete.inc();
    }
    return GraphUpdate.live(purchase, System.currentTimeMillis());
  }
}
