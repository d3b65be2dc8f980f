package io.consumergraph.sink.neo4j;

import static io.consumergraph.sink.neo4j.Purchases.T0;
import static io.consumergraph.sink.neo4j.Purchases.live;
import static io.consumergraph.sink.neo4j.Purchases.product;
import static io.consumergraph.sink.neo4j.Purchases.purchase;
import static io.consumergraph.sink.neo4j.Purchases.retailer;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class WrittenNodeCacheTest {

  private static List<String> kinds(GraphBatch batch) {
    return batch.steps().stream().map(GraphBatch.Step::kind).toList();
  }

  private static GraphBatch batchOf(String purchaseId, String productId, String categoryId) {
    return GraphBatch.fold(
        List.of(
            live(purchase("u1", purchaseId, T0, retailer("s1"), product(productId, categoryId)))));
  }

  @Test
  void aBatchNotRememberedIsSentInFull() {
    WrittenNodeCache cache = new WrittenNodeCache(10);
    GraphBatch first = batchOf("r1", "f1", "c1");
    // The write of `first` failed: nothing is remembered, so the next batch still sends all rows.
    assertThat(cache.unwritten(batchOf("r2", "f1", "c1")).rowCount()).isEqualTo(first.rowCount());
  }

  @Test
  void rememberedNodeRowsAreDroppedAndRelationshipRowsNeverAre() {
    WrittenNodeCache cache = new WrittenNodeCache(10);
    cache.remember(cache.unwritten(batchOf("r1", "f1", "c1")));

    GraphBatch again = cache.unwritten(batchOf("r2", "f1", "c1"));
    assertThat(kinds(again)).containsExactly("users", "purchased", "shops_at", "shops_in");
    assertThat(again.updateCount()).isEqualTo(1);
  }

  @Test
  void anEmptyCategoryKeepsTheWrittenOneKnownAndANewOneIsSent() {
    WrittenNodeCache cache = new WrittenNodeCache(10);
    cache.remember(batchOf("r1", "f1", "c1"));
    // No category: the row only restates name and brand, and the guard keeps c1 anyway.
    GraphBatch uncategorised = cache.unwritten(batchOf("r2", "f1", ""));
    assertThat(kinds(uncategorised)).doesNotContain("products", "in_category");
    cache.remember(uncategorised);

    GraphBatch moved = cache.unwritten(batchOf("r3", "f1", "c2"));
    assertThat(kinds(moved)).contains("categories", "products", "in_category");
    GraphBatch back = cache.unwritten(batchOf("r4", "f1", "c1"));
    assertThat(kinds(back)).doesNotContain("products", "in_category");
  }

  @Test
  void isBoundedAndEvictsTheLeastRecentlyUsed() {
    WrittenNodeCache cache = new WrittenNodeCache(2);
    cache.remember(batchOf("r1", "f1", ""));
    cache.remember(batchOf("r2", "f2", ""));
    // f1 used again, so f2 is the eldest when f3 comes.
    cache.unwritten(batchOf("r3", "f1", ""));
    cache.remember(batchOf("r4", "f3", ""));

    assertThat(cache.keys("products")).containsExactly("f1", "f3");
    assertThat(kinds(cache.unwritten(batchOf("r5", "f2", "")))).contains("products");
  }
}
