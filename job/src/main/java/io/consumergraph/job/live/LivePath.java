package io.consumergraph.job.live;

import io.consumergraph.job.Unions;
import io.consumergraph.model.DeadLetter;
import io.consumergraph.model.MergeInput;
import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.SourceRecord;
import io.consumergraph.model.UserLoadRequest;
import io.consumergraph.operators.decode.DecodeAndFilter;
import io.consumergraph.operators.decode.FactoidDecoder;
import io.consumergraph.operators.decode.ReceiptDecoder;
import io.consumergraph.operators.dedup.PurchaseDeduplicator;
import io.consumergraph.operators.enrich.CatalogLookupFactory;
import io.consumergraph.operators.enrich.PurchaseEnricher;
import io.consumergraph.operators.flags.FlagUpdate;
import io.consumergraph.operators.gate.AutoLoad;
import io.consumergraph.operators.gate.EnrollmentDecoder;
import io.consumergraph.operators.gate.GateInput;
import io.consumergraph.operators.gate.UserGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The live path: receipts and shop-order factoids from Kafka, decoded and filtered, admitted by the
 * ingestion flag (or an enrollment), de-duplicated per user and enriched, as live {@link
 * MergeInput}s; what cannot be decoded goes to the dead letters.
 *
 * <pre>
 * receipts ─► decode-receipts ─┐
 * factoids ─► decode-factoids ─┼─► user-gate ─► dedup-purchases ─► enrich-purchases ─► merge inputs
 * enrollments ─► decode ───────┤      ▲
 * (backfill enrollments) ──────┘      ├─ flags (snapshots broadcast, id-list members keyed)
 *                                     └─► load requests of newly enabled users (auto-load)
 * </pre>
 *
 * <p>The uids are part of the savepoint format: never change one.
 */
public final class LivePath {

  /** The live sources; {@code enrollments} is empty when there is no enrollment topic. */
  public record Inputs(
      Source<SourceRecord, ?, ?> receipts,
      Source<SourceRecord, ?, ?> factoids,
      Source<FlagUpdate, ?, ?> flags,
      Optional<Source<SourceRecord, ?, ?>> enrollments) {

    public Inputs {
      Objects.requireNonNull(receipts, "receipts");
      Objects.requireNonNull(factoids, "factoids");
      Objects.requireNonNull(flags, "flags");
      Objects.requireNonNull(enrollments, "enrollments");
    }
  }

  /** Settings of the live path's operators. */
  public record Settings(
      Duration idListGrace,
      Duration dedupTtl,
      Duration upstreamTimeout,
      int upstreamMaxRetries,
      int enrichCapacity,
      boolean logOnly,
      int rewindGeneration,
      AutoLoad.Settings autoLoad,
      int killswitchReleaseBatch) {

    public Settings {
      Objects.requireNonNull(autoLoad, "autoLoad");
      if (upstreamMaxRetries < 0 || enrichCapacity < 1 || rewindGeneration < 0) {
        throw new IllegalArgumentException("invalid live path settings: " + this);
      }
      if (killswitchReleaseBatch < 1) {
        throw new IllegalArgumentException(
            "flags.killswitch.release-batch must be at least 1, got " + killswitchReleaseBatch);
      }
    }

    /**
     * The uid of a live Kafka source: the base uid until the first rewind, then one per rewind
     * generation, so a restore drops the saved offsets and the source starts from {@code
     * kafka.start-from}. A {@code log-only} run has uids of its own: its positions are past what it
     * consumed nothing of, so a real run restored from its savepoint must not take them (Flink
     * refuses the restore unless told to drop that state, and then the sources start from the
     * group's committed offsets, which a dry run never moves).
     */
    public String sourceUid(String base) {
      String uid = rewindGeneration == 0 ? base : base + "-rewind-" + rewindGeneration;
      return logOnly ? uid + "-log-only" : uid;
    }
  }

  /**
   * What the live path hands on: enriched purchases for the merger, its dead letters, and the
   * gate's load requests for newly enabled users (none unless {@link Settings#autoLoad()} is on).
   */
  public record Streams(
      DataStream<MergeInput> purchases,
      DataStream<DeadLetter> deadLetters,
      DataStream<UserLoadRequest> autoLoads) {}

  private final Inputs inputs;
  private final CatalogLookupFactory catalog;
  private final Settings settings;

  public LivePath(Inputs inputs, CatalogLookupFactory catalog, Settings settings) {
    this.inputs = Objects.requireNonNull(inputs, "inputs");
    this.catalog = Objects.requireNonNull(catalog, "catalog");
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  /** Whether the gate asks for the loads of newly enabled users. */
  public boolean autoLoads() {
    return settings.autoLoad().enabled();
  }

  /**
   * Adds the live path to {@code env}. {@code moreGateInputs} reach the gate beside the live
   * sources' (the backfill path's enrollments).
   */
  public Streams build(StreamExecutionEnvironment env, List<DataStream<GateInput>> moreGateInputs) {
    SingleOutputStreamOperator<PurchaseEvent> receipts =
        decode(env, inputs.receipts(), "receipts", new DecodeAndFilter<>(new ReceiptDecoder()));
    SingleOutputStreamOperator<PurchaseEvent> factoids =
        decode(env, inputs.factoids(), "factoids", new DecodeAndFilter<>(new FactoidDecoder()));
    List<DataStream<DeadLetter>> deadLetters = new ArrayList<>();
    deadLetters.add(receipts.getSideOutput(DecodeAndFilter.DEAD_LETTERS));
    deadLetters.add(factoids.getSideOutput(DecodeAndFilter.DEAD_LETTERS));

    // The flag source runs on one subtask: snapshots are broadcast, id-list members are keyed.
    SingleOutputStreamOperator<FlagUpdate> flagUpdates =
        env.fromSource(
                inputs.flags(),
                WatermarkStrategy.noWatermarks(),
                "flags",
                TypeInformation.of(FlagUpdate.class))
            .uid("flags-source")
            .setParallelism(1);
    BroadcastStream<FlagUpdate> snapshots =
        flagUpdates
            .filter(FlagUpdate::isBroadcast)
            .name("flag-snapshots")
            .uid("flag-snapshots")
            .setParallelism(1)
            .broadcast(UserGate.FLAGS);
    List<DataStream<GateInput>> gateInputs = new ArrayList<>();
    gateInputs.add(
        flagUpdates
            .filter(FlagUpdate::isMember)
            .name("id-list-members")
            .uid("id-list-members")
            .setParallelism(1)
            .map(m -> GateInput.membership(m.userId(), m.listKey(), m.listVersion()))
            .name("to-membership")
            .uid("to-membership")
            .setParallelism(1));
    inputs
        .enrollments()
        .ifPresent(
            source -> {
              SingleOutputStreamOperator<GateInput> enrollments =
                  env.fromSource(source, WatermarkStrategy.noWatermarks(), "enrollments")
                      .uid(settings.sourceUid("enrollments-source"))
                      .process(new DecodeAndFilter<>(new EnrollmentDecoder()))
                      .name("decode-enrollments")
                      .uid("decode-enrollments");
              gateInputs.add(enrollments);
              deadLetters.add(enrollments.getSideOutput(DecodeAndFilter.DEAD_LETTERS));
            });
    gateInputs.addAll(moreGateInputs);

    SingleOutputStreamOperator<PurchaseEvent> admitted =
        Unions.of(
                receipts
                    .union(factoids)
                    .map(GateInput::purchase)
                    .name("to-gate-input")
                    .uid("to-gate-input"),
                gateInputs)
            .keyBy(GateInput::userId)
            .connect(snapshots)
            .process(
                new UserGate(
                    settings.idListGrace(), settings.autoLoad(), settings.killswitchReleaseBatch()))
            .name("user-gate")
            .uid("user-gate");

    // The gate emits each purchase on the subtask that owns its user: no second shuffle.
    DataStream<PurchaseEvent> firstSeen =
        DataStreamUtils.reinterpretAsKeyedStream(admitted, PurchaseEvent::userId)
            .process(new PurchaseDeduplicator(settings.dedupTtl(), settings.logOnly()))
            .name("dedup-purchases")
            .uid("dedup-purchases");

    DataStream<MergeInput> purchases =
        AsyncDataStream.unorderedWaitWithRetry(
                firstSeen,
                new PurchaseEnricher(catalog),
                PurchaseEnricher.timeout(settings.upstreamTimeout(), settings.upstreamMaxRetries())
                    .toMillis(),
                TimeUnit.MILLISECONDS,
                settings.enrichCapacity(),
                PurchaseEnricher.retryStrategy(settings.upstreamMaxRetries()))
            .name("enrich-purchases")
            .uid("enrich-purchases")
            .map(MergeInput::live)
            .name("to-merge-input")
            .uid("to-merge-input");
    return new Streams(
        purchases, Unions.of(deadLetters), admitted.getSideOutput(UserGate.AUTO_LOADS));
  }

  private SingleOutputStreamOperator<PurchaseEvent> decode(
      StreamExecutionEnvironment env,
      Source<SourceRecord, ?, ?> source,
      String name,
      DecodeAndFilter<PurchaseEvent> decoder) {
    return env.fromSource(source, WatermarkStrategy.noWatermarks(), name)
        .uid(settings.sourceUid(name + "-source"))
        .process(decoder)
        .name("decode-" + name)
        .uid("decode-" + name);
  }
}
