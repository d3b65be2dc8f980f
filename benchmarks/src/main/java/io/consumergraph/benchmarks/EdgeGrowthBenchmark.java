package io.consumergraph.benchmarks;

import io.consumergraph.embedded.EmbeddedNeo4j;
import io.consumergraph.model.Channel;
import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.Origin;
import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;
import io.consumergraph.sink.neo4j.Neo4jGraphSink;
import io.consumergraph.sink.neo4j.Neo4jSinkConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * The cost of one live purchase appended to edges that already carry many purchase ids: a user's
 * PURCHASED, SHOPS_AT and SHOPS_IN edges are seeded with N ids by one FullLoad (one product, one
 * retailer, one category), then single-purchase live updates are written one transaction each, as a
 * quiet live path writes them. Each append re-reads and rewrites the edges' id lists, so its cost
 * grows with N; the run prints ms per append and the ratio to an edge seeded with one id, measured
 * in the same run. Checks: every edge ends with N + appends ids, each once.
 */
public final class EdgeGrowthBenchmark {

  private static final long DAY = 86_400_000L;

  private static final SinkWriter.Context CONTEXT = DirectSink.CONTEXT;

  record Options(List<Integer> sizes, int appends) {

    static Options parse(String[] args) {
      Map<String, String> given = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i++) {
        if (args[i].equals("--help") || !args[i].startsWith("--") || i + 1 >= args.length) {
          throw new IllegalArgumentException(
              "options: --sizes 1,1000,10000 (ids on the edge before the appends; the first is"
                  + " the baseline) --appends N (50)");
        }
        given.put(args[i].substring(2), args[++i]);
      }
      for (String key : given.keySet()) {
        if (!List.of("sizes", "appends").contains(key)) {
          throw new IllegalArgumentException("unknown option --" + key);
        }
      }
      List<Integer> sizes = new ArrayList<>();
      for (String s : given.getOrDefault("sizes", "1,1000,10000").split(",")) {
        sizes.add(Integer.parseInt(s.trim()));
      }
      if (sizes.isEmpty() || sizes.stream().anyMatch(n -> n < 1)) {
        throw new IllegalArgumentException("--sizes must be positive numbers of ids");
      }
      return new Options(List.copyOf(sizes), Integer.parseInt(given.getOrDefault("appends", "50")));
    }
  }

  /** One size's figures. */
  record Result(
      int ids, double medianAppendMs, double p90AppendMs, long idListBytes, boolean correct) {}

  private EdgeGrowthBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchmarkMain.main(
        args, Options::parse, options -> BenchmarkMain.status(run(options), Result::correct));
  }

  static List<Result> run(Options options) throws Exception {
    List<Result> results = new ArrayList<>();
    try (EmbeddedNeo4j neo4j = EmbeddedNeo4j.start()) {
      Neo4jGraphSink sink = new Neo4jGraphSink(Neo4jSinkConfig.withoutAuth(neo4j.boltUri()));
      try (SinkWriter<GraphUpdate> writer = DirectSink.open(sink)) {
        for (int ids : options.sizes()) {
          results.add(measure(writer, neo4j, ids, options.appends()));
        }
      }
    }
    print(results, options);
    BenchmarkJson.write(
        "edges", Map.of("sizes", options.sizes(), "appends", options.appends()), results);
    return results;
  }

  private static Result measure(
      SinkWriter<GraphUpdate> writer, EmbeddedNeo4j neo4j, int ids, int appends) throws Exception {
    String user = "edge-growth-" + ids;
    long now = System.currentTimeMillis();
    long windowStart = now - 3650 * DAY;
    EnrichedPurchase[] history = new EnrichedPurchase[ids];
    for (int i = 0; i < ids; i++) {
      // Spread over the window, oldest first, as a long-lived edge's ids are.
      history[i] = purchase(user, user + "-h" + i, windowStart + (i + 1) * (3000 * DAY / ids));
    }
    writer.write(GraphUpdate.fullLoad(user, now, windowStart, history), CONTEXT);
    writer.flush(false);
    // A few appends first: plans cached, pages warm.
    for (int i = 0; i < 5; i++) {
      append(writer, user, user + "-warm" + i, now);
    }
    List<Double> ms = new ArrayList<>();
    for (int i = 0; i < appends; i++) {
      long start = System.nanoTime();
      append(writer, user, user + "-live" + i, now);
      ms.add((System.nanoTime() - start) / 1e6);
    }
    ms.sort(Double::compare);
    int expected = ids + 5 + appends;
    boolean correct = true;
    long bytes = 0;
    int edges = 0;
    try (Session session = neo4j.driver().session()) {
      for (Record r :
          session
              .run(
                  "MATCH (:User {user_id: $u})-[e]->() UNWIND e.receipt_ids AS id"
                      + " WITH e, count(id) AS n, count(DISTINCT id) AS distinct,"
                      + " sum(size(id)) AS bytes RETURN n, distinct, bytes",
                  Map.of("u", user))
              .list()) {
        edges++;
        correct &= r.get("n").asInt() == expected && r.get("distinct").asInt() == expected;
        bytes = Math.max(bytes, r.get("bytes").asLong());
      }
    }
    correct &= edges == 3;
    double median = ms.get(ms.size() / 2);
    double p90 = ms.get(Math.min(ms.size() - 1, (int) Math.ceil(ms.size() * 0.9) - 1));
    System.out.printf(
        Locale.ROOT,
        "%d ids: append median %.2f ms, p90 %.2f ms, id list %d bytes%s%n",
        ids,
        median,
        p90,
        bytes,
        correct
            ? ""
            : "  GRAPH DIFFERS: an edge does not hold each of its " + expected + " ids once");
    return new Result(ids, median, p90, bytes, correct);
  }

  private static void append(SinkWriter<GraphUpdate> writer, String user, String id, long now)
      throws Exception {
    writer.write(GraphUpdate.live(purchase(user, id, now - 60_000), now), CONTEXT);
    writer.flush(false);
  }

  private static EnrichedPurchase purchase(String user, String id, long timeMs) {
    return new EnrichedPurchase(
        user,
        id,
        Channel.RECEIPT,
        Origin.RECEIPT_STREAM,
        timeMs,
        new Retailer("edge-growth-retailer", "Grocer", "grocery"),
        new Product[] {
          new Product(
              "edge-growth-product",
              "Milk",
              "Farm",
              "edge-growth-category",
              new String[] {"Food", "Dairy"})
        },
        true);
  }

  private static void print(List<Result> results, Options options) {
    System.out.printf(
        Locale.ROOT,
        "%nedge growth: %d live appends, one transaction each, to PURCHASED + SHOPS_AT + SHOPS_IN%n",
        options.appends());
    System.out.printf(
        "%-10s %14s %12s %14s %14s%n",
        "ids", "median ms", "p90 ms", "id list bytes", "vs baseline");
    double baseline = results.get(0).medianAppendMs();
    for (Result r : results) {
      System.out.printf(
          Locale.ROOT,
          "%-10d %14.2f %12.2f %14d %13.2fx%n",
          r.ids(),
          r.medianAppendMs(),
          r.p90AppendMs(),
          r.idListBytes(),
          r.medianAppendMs() / baseline);
    }
  }
}
