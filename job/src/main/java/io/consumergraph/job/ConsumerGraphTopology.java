package io.consumergraph.job;

import io.consumergraph.job.backfill.BackfillPath;
import io.consumergraph.job.live.LivePath;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.MergeInput;
import io.consumergraph.operators.merge.FullLoadMerger;
import java.time.Duration;
import java.util.Objects;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * Wires the consumer-graph topology: the {@link LivePath} and the {@link BackfillPath} meet in the
 * full-load merger, whose graph updates go to the Neo4j sink. Sources and sinks come in as
 * arguments, so production, the demo and the tests run the same graph (the topology test with
 * in-memory ones).
 *
 * <p>The uids are part of the savepoint format: never change one.
 */
public final class ConsumerGraphTopology {

  /** Settings of the part both paths share. */
  public record Settings(Duration liveRetention, int sinkParallelism) {

    public Settings {
      if (liveRetention.isNegative() || sinkParallelism < 1) {
        throw new IllegalArgumentException("invalid topology settings: " + this);
      }
    }
  }

  private final LivePath live;
  private final BackfillPath backfill;
  private final Sink<GraphUpdate> graphSink;
  private final Sink<DeadLetter> deadLetterSink;
  private final Settings settings;

  public ConsumerGraphTopology(
      LivePath live,
      BackfillPath backfill,
      Sink<GraphUpdate> graphSink,
      Sink<DeadLetter> deadLetterSink,
      Settings settings) {
    this.live = Objects.requireNonNull(live, "live");
    this.backfill = Objects.requireNonNull(backfill, "backfill");
    this.graphSink = Objects.requireNonNull(graphSink, "graphSink");
    this.deadLetterSink = Objects.requireNonNull(deadLetterSink, "deadLetterSink");
    this.settings = Objects.requireNonNull(settings, "settings");
    if (live.autoLoads() != backfill.autoLoads()) {
      throw new IllegalArgumentException(
          "the gate makes auto-load requests exactly when the backfill path sends them: gate "
              + live.autoLoads()
              + ", backfill path "
              + backfill.autoLoads());
    }
  }

  /** The same topology writing the graph to {@code sink} (a wrapped sink, another store). */
  public ConsumerGraphTopology withGraphSink(Sink<GraphUpdate> sink) {
    return new ConsumerGraphTopology(live, backfill, sink, deadLetterSink, settings);
  }

  public void build(StreamExecutionEnvironment env) {
    BackfillPath.Streams loads = backfill.build(env);
    LivePath.Streams purchases = live.build(env, loads.enrollments());
    loads.autoLoads().sinkFrom(purchases.autoLoads());

    SingleOutputStreamOperator<GraphUpdate> updates =
        Unions.of(purchases.purchases(), loads.histories())
            .keyBy(MergeInput::userId)
            .process(new FullLoadMerger(settings.liveRetention(), loads.priorityQueue()))
            .name("full-load-merger")
            .uid("full-load-merger");
    // Keyed again so one user's updates always reach the same writer, in order.
    updates
        .keyBy(GraphUpdate::userId)
        .sinkTo(graphSink)
        .name("neo4j-graph-sink")
        .uid("neo4j-graph-sink")
        .setParallelism(settings.sinkParallelism());
    if (!loads.priorityQueue().isEmpty()) {
      // Enrolled users' updates: a writer of their own, so an enrollment's FullLoad does not wait
      // behind a bulk backfill's in the bulk writer's buffers and batches (FullLoadMerger).
      updates
          .getSideOutput(FullLoadMerger.PRIORITY)
          .keyBy(GraphUpdate::userId)
          .sinkTo(graphSink)
          .name("neo4j-graph-sink-enrolled")
          .uid("neo4j-graph-sink-enrolled")
          .setParallelism(settings.sinkParallelism());
    }
    loads.results().sinkFrom(updates);

    Unions.of(purchases.deadLetters(), loads.deadLetters())
        .sinkTo(deadLetterSink)
        .name("dead-letter-sink")
        .uid("dead-letter-sink");
  }
}
