package io.consumergraph.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.job.testing.EmbeddedJobConfig;
import io.consumergraph.job.testing.EmbeddedStack;
import io.consumergraph.job.testing.RestartingJob;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.neo4j.driver.Record;
import org.neo4j.driver.Session;

/**
 * The job pointed at a graph the previous worker wrote (SHOPS_AT / SHOPS_IN with counts and no
 * ids): live purchases count on from the old counts, never below them, and the user's first
 * backfill replaces them with exactly the loaded history (the oracle's).
 */
class LegacyAdoptionIT {

  private static final Duration WAIT = Duration.ofSeconds(120);

  @RegisterExtension static final EmbeddedStack STACK = new EmbeddedStack();

  @TempDir Path dir;

  @Test
  void liveAppendsKeepTheOldCountsAndTheFirstBackfillReplacesThemWithTheHistory() throws Exception {
    String job = "legacy";
    String user = STACK.oracle().usersWithReceiptsAndShopOrders(job + "-user-", 1).get(0);
    String retailer = STACK.catalog().retailerId(0);
    String productCategory = STACK.catalog().product(STACK.catalog().fido(1)).categoryId();
    boolean categorised = productCategory != null && !productCategory.isEmpty();
    String category = categorised ? productCategory : "legacy-only-category";
    String elsewhere = "legacy-only-retailer";
    try (Session session = STACK.neo4j().driver().session()) {
      session
          .run(
              "MERGE (u:User {user_id: $user})"
                  + " MERGE (r:Retailer {retailer_id: $retailer})"
                  + " MERGE (o:Retailer {retailer_id: $elsewhere})"
                  + " MERGE (c:Category {category_id: $category})"
                  + " CREATE (u)-[:SHOPS_AT {frequency: 40}]->(r),"
                  + " (u)-[:SHOPS_AT {frequency: 5}]->(o),"
                  + " (u)-[:SHOPS_IN {purchase_count: 30}]->(c)",
              Map.of(
                  "user", user, "retailer", retailer, "elsewhere", elsewhere, "category", category))
          .consume();
    }
    String bulk = STACK.sqs().createQueue(job + "-bulk", Map.of());
    String dlq = STACK.sqs().createQueue(job + "-dlq", Map.of());
    JobClient client =
        RestartingJob.start(
            STACK, job, bulk, dlq, dir, new Configuration(), UnaryOperator.identity());
    try {
      String live = job + "-live-1";
      try (KafkaProducer<byte[], byte[]> producer = STACK.kafka().producer()) {
        producer.send(new ProducerRecord<>(job + "-receipts", STACK.liveReceipt(live, user))).get();
        producer.send(new ProducerRecord<>(job + "-receipts", STACK.liveReceipt(live, user))).get();
      }
      EmbeddedJobConfig.waitFor(
          "the live receipt in Neo4j", WAIT, () -> STACK.oracle().purchaseIds(user).contains(live));
      // Counted on from the old count, once, and the old count is kept apart.
      assertThat(aggregate(user, "SHOPS_AT", retailer)).containsExactly(41L, 40L);
      assertThat(aggregate(user, "SHOPS_IN", category))
          .containsExactly(categorised ? 31L : 30L, categorised ? 30L : null);
      assertThat(aggregate(user, "SHOPS_AT", elsewhere)).containsExactly(5L, null);

      STACK.sqs().client().sendMessage(b -> b.queueUrl(bulk).messageBody(STACK.loadRequest(user)));
      Set<String> expected = new HashSet<>(STACK.oracle().expectedIds(user));
      expected.add(live);
      EmbeddedJobConfig.waitFor(
          "the user's history in Neo4j",
          WAIT,
          () -> STACK.oracle().purchaseIds(user).equals(expected) && STACK.messages(bulk) == 0);
      // Adopted: exactly the history plus the live receipt, no legacy count left anywhere.
      STACK.oracle().assertAggregatesMatch(user, Set.of(live));
      try (Session session = STACK.neo4j().driver().session()) {
        assertThat(
                session
                    .run(
                        "MATCH (:User {user_id: $u})-[r:SHOPS_AT|SHOPS_IN]->()"
                            + " WHERE r.legacy_count IS NOT NULL OR r.receipt_ids IS NULL"
                            + " RETURN count(r) AS n",
                        Map.of("u", user))
                    .single()
                    .get("n")
                    .asLong())
            .isZero();
      }
    } finally {
      client.cancel().get();
    }
  }

  /** The count and legacy_count of the user's edge of {@code type} to {@code key}. */
  private static List<Long> aggregate(String user, String type, String key) {
    try (Session session = STACK.neo4j().driver().session()) {
      List<Record> rows =
          session
              .run(
                  "MATCH (:User {user_id: $u})-[r:"
                      + type
                      + "]->(x) WHERE coalesce(x.retailer_id, x.category_id) = $k"
                      + " RETURN coalesce(r.frequency, r.purchase_count) AS n,"
                      + " r.legacy_count AS legacy",
                  Map.of("u", user, "k", key))
              .list();
      assertThat(rows).as("%s edge to %s", type, key).hasSize(1);
      Record row = rows.get(0);
      return java.util.Arrays.asList(
          row.get("n").asLong(), row.get("legacy").isNull() ? null : row.get("legacy").asLong());
    }
  }
}
