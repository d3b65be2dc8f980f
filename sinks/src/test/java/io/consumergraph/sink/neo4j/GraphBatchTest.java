package io.consumergraph.sink.neo4j;

import static io.consumergraph.sink.neo4j.Purchases.DAY_MS;
import static io.consumergraph.sink.neo4j.Purchases.T0;
import static io.consumergraph.sink.neo4j.Purchases.fullLoad;
import static io.consumergraph.sink.neo4j.Purchases.live;
import static io.consumergraph.sink.neo4j.Purchases.product;
import static io.consumergraph.sink.neo4j.Purchases.purchase;
import static io.consumergraph.sink.neo4j.Purchases.retailer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.Product;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GraphBatchTest {

  private static List<Map<String, Object>> rows(GraphBatch batch, String kind) {
    return batch.steps().stream()
        .filter(s -> s.kind().equals(kind))
        .findFirst()
        .map(GraphBatch.Step::rows)
        .orElse(List.of());
  }

  @Test
  void duplicatePurchasesArePreAggregatedIntoOneRowPerUserAndProduct() {
    var r1 = purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"), product("f2", "c1"));
    var r2 = purchase("u1", "r2", T0 + DAY_MS, retailer("s1"), product("f1", "c1"));
    GraphBatch batch = GraphBatch.fold(List.of(live(r1), live(r2), live(r1)));

    assertThat(batch.updateCount()).isEqualTo(3);
    assertThat(rows(batch, "purchased"))
        .containsExactly(
            Map.of(
                "user_id",
                "u1",
                "product_id",
                "f1",
                "receipt_ids",
                List.of("r1", "r2"),
                "timestamps",
                List.of(T0, T0 + DAY_MS)),
            Map.of(
                "user_id",
                "u1",
                "product_id",
                "f2",
                "receipt_ids",
                List.of("r1"),
                "timestamps",
                List.of(T0)));
    assertThat(rows(batch, "shops_at"))
        .containsExactly(
            Map.of(
                "user_id",
                "u1",
                "retailer_id",
                "s1",
                "receipt_ids",
                List.of("r1", "r2"),
                "timestamps",
                List.of(T0, T0 + DAY_MS),
                "replace",
                false));
    // r1 has two products in c1 but counts once for SHOPS_IN.
    assertThat(rows(batch, "shops_in"))
        .containsExactly(
            Map.of(
                "user_id",
                "u1",
                "category_id",
                "c1",
                "receipt_ids",
                List.of("r1", "r2"),
                "timestamps",
                List.of(T0, T0 + DAY_MS),
                "replace",
                false));
    assertThat(rows(batch, "products")).hasSize(2);
    assertThat(rows(batch, "stale_shops_at")).isEmpty();
  }

  @Test
  void aFullLoadResetsTheUsersEarlierAggregatesAndLaterLiveUpdatesAddOnTop() {
    GraphBatch batch =
        GraphBatch.fold(
            List.of(
                live(purchase("u1", "a", T0, retailer("s9"), product("f9", "c9"))),
                fullLoad("u1", T0, purchase("u1", "b", T0, retailer("s1"), product("f1", "c1"))),
                live(purchase("u1", "c", T0, retailer("s2"), product("f2", "c1")))));

    assertThat(rows(batch, "shops_at"))
        .extracting(r -> r.get("retailer_id"), r -> r.get("receipt_ids"), r -> r.get("replace"))
        .containsExactly(tuple("s1", List.of("b"), true), tuple("s2", List.of("c"), true));
    assertThat(rows(batch, "stale_shops_at"))
        .containsExactly(
            Map.of(
                "user_id",
                "u1",
                "retailer_ids",
                List.of("s1", "s2"),
                "window_start",
                Long.MIN_VALUE));
    assertThat(rows(batch, "stale_shops_in"))
        .containsExactly(
            Map.of("user_id", "u1", "category_ids", List.of("c1"), "window_start", Long.MIN_VALUE));
    // PURCHASED keeps the live purchase that preceded the full load.
    assertThat(rows(batch, "purchased"))
        .extracting(r -> r.get("product_id"))
        .containsExactly("f1", "f2", "f9");
  }

  @Test
  void aFullLoadWithoutPurchasesDeletesAllTheUsersAggregates() {
    GraphBatch batch = GraphBatch.fold(List.of(fullLoad("u1", T0)));

    assertThat(rows(batch, "users")).hasSize(1);
    assertThat(rows(batch, "stale_shops_at"))
        .containsExactly(
            Map.of("user_id", "u1", "retailer_ids", List.of(), "window_start", Long.MIN_VALUE));
    assertThat(rows(batch, "shops_at")).isEmpty();
  }

  @Test
  void emptyProductAttributesAreSentAsNullSoTheyNeverOverwrite() {
    Product bare = new Product("f1", "", "", "", new String[0]);
    Product named = product("f1", "c1");
    GraphBatch batch =
        GraphBatch.fold(
            List.of(
                live(purchase("u1", "r1", T0, null, named)),
                live(purchase("u1", "r2", T0, null, bare))));

    Map<String, Object> row = rows(batch, "products").get(0);
    assertThat(row)
        .containsEntry("name", "name-f1")
        .containsEntry("category_id", "c1")
        .containsEntry("category_hierarchy", List.of("root", "mid-c1", "c1"));

    GraphBatch onlyBare = GraphBatch.fold(List.of(live(purchase("u1", "r2", T0, null, bare))));
    Map<String, Object> bareRow = rows(onlyBare, "products").get(0);
    assertThat(bareRow.get("name")).isNull();
    assertThat(bareRow.get("category_id")).isNull();
    assertThat(bareRow.get("category_hierarchy")).isNull();
    assertThat(rows(onlyBare, "in_category")).isEmpty();
    assertThat(rows(onlyBare, "shops_in")).isEmpty();
  }

  @Test
  void aPurchaseWithoutRetailerHasNoShopsAtRow() {
    GraphBatch batch =
        GraphBatch.fold(List.of(live(purchase("u1", "r1", T0, null, product("f1", "c1")))));

    assertThat(rows(batch, "retailers")).isEmpty();
    assertThat(rows(batch, "shops_at")).isEmpty();
    assertThat(batch.steps()).extracting(GraphBatch.Step::kind).doesNotContain("shops_at");
  }

  @Test
  void lastUpdatedAtIsTheMaximumOfTheUsersUpdates() {
    var p = purchase("u1", "r1", T0, null, product("f1", ""));
    GraphBatch batch = GraphBatch.fold(List.of(GraphUpdate.live(p, 5), GraphUpdate.live(p, 3)));

    assertThat(rows(batch, "users")).containsExactly(Map.of("user_id", "u1", "updated_at", 5L));
  }

  @Test
  void itemRowsCountOneRowPerPurchasedProduct() {
    assertThat(
            GraphBatch.itemRows(
                live(purchase("u1", "r1", T0, null, product("f1", ""), product("f2", "")))))
        .isEqualTo(2);
    assertThat(GraphBatch.itemRows(fullLoad("u1", T0))).isEqualTo(1);
  }

  @Test
  void theEdgesOfUsersNewToTheGraphAreCreatedGroupedByUserAndTheirStaleStepsDropped() {
    var a = purchase("u1", "r1", T0, retailer("s1"), product("f1", "c1"), product("f2", ""));
    var b = purchase("u2", "r2", T0, retailer("s1"), product("f1", "c1"));
    GraphBatch batch = GraphBatch.fold(List.of(fullLoad("u1", T0, a), fullLoad("u2", T0, b)));
    java.util.Set<String> newUsers = java.util.Set.of("u1");

    GraphBatch.Step purchased = step(batch, "purchased");
    assertThat(purchased.statements(newUsers))
        .extracting(GraphBatch.Statement::cypher)
        .containsExactly(GraphCypher.CREATE_PURCHASED, GraphCypher.MERGE_PURCHASED);
    List<GraphBatch.Statement> statements = purchased.statements(newUsers);
    assertThat(statements.get(0).rows())
        .containsExactly(
            Map.of(
                "user_id",
                "u1",
                "edges",
                List.of(
                    Map.of(
                        "product_id",
                        "f1",
                        "receipt_ids",
                        List.of("r1"),
                        "timestamps",
                        List.of(T0)),
                    Map.of(
                        "product_id",
                        "f2",
                        "receipt_ids",
                        List.of("r1"),
                        "timestamps",
                        List.of(T0)))));
    assertThat(statements.get(1).rows())
        .extracting(row -> row.get("user_id"))
        .containsExactly("u2");

    assertThat(step(batch, "shops_in").statements(newUsers))
        .extracting(GraphBatch.Statement::cypher)
        .containsExactly(GraphCypher.CREATE_SHOPS_IN, GraphCypher.MERGE_SHOPS_IN);
    assertThat(step(batch, "stale_shops_at").statements(newUsers))
        .singleElement()
        .satisfies(
            s -> {
              assertThat(s.cypher()).isEqualTo(GraphCypher.DELETE_STALE_SHOPS_AT);
              assertThat(s.rows()).extracting(row -> row.get("user_id")).containsExactly("u2");
            });
    // All users new: a stale step has nothing to run; no new user: every step as it is.
    assertThat(step(batch, "stale_shops_in").statements(java.util.Set.of("u1", "u2"))).isEmpty();
    assertThat(step(batch, "shops_at").statements(java.util.Set.of()))
        .singleElement()
        .extracting(GraphBatch.Statement::cypher)
        .isEqualTo(GraphCypher.MERGE_SHOPS_AT);
    assertThat(step(batch, "products").statements(newUsers))
        .singleElement()
        .extracting(GraphBatch.Statement::cypher)
        .isEqualTo(GraphCypher.MERGE_PRODUCTS);
  }

  private static GraphBatch.Step step(GraphBatch batch, String kind) {
    return batch.steps().stream().filter(s -> s.kind().equals(kind)).findFirst().orElseThrow();
  }
}
