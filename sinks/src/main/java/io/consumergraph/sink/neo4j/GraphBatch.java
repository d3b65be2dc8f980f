package io.consumergraph.sink.neo4j;

import io.consumergraph.model.EnrichedPurchase;
import io.consumergraph.model.GraphUpdate;
import io.consumergraph.model.Product;
import io.consumergraph.model.Retailer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BiPredicate;

/**
 * A batch of graph updates folded per user in arrival order and pre-aggregated into the rows of
 * each Cypher step. Rows are de-duplicated and sorted by key, so parallel writers lock shared nodes
 * in the same order.
 */
final class GraphBatch {

  /** The kind of the users step, which runs first and returns the users it created. */
  static final String USERS = "users";

  /** One Cypher statement of the batch and the rows it unwinds. */
  record Step(String kind, String cypher, List<Map<String, Object>> rows) {

    /**
     * What this step runs once the batch's transaction has created {@code newUsers} (the users
     * step's result): the relationship rows of new users go to the CREATE statement of their kind,
     * grouped by user, the rest to the step's own statement; the stale-aggregate steps have nothing
     * to do for a new user. Any other step runs as it is.
     */
    List<Statement> statements(Set<String> newUsers) {
      String create = CREATE_STATEMENTS.get(kind);
      boolean stale = kind.startsWith("stale_");
      if (newUsers.isEmpty() || (create == null && !stale)) {
        return List.of(new Statement(cypher, rows));
      }
      List<Map<String, Object>> existing = new ArrayList<>(rows.size());
      Map<String, List<Map<String, Object>>> created = new LinkedHashMap<>();
      for (Map<String, Object> row : rows) {
        String userId = (String) row.get("user_id");
        if (!newUsers.contains(userId)) {
          existing.add(row);
        } else if (create != null) {
          Map<String, Object> edge = new LinkedHashMap<>(row);
          edge.remove("user_id");
          created.computeIfAbsent(userId, id -> new ArrayList<>()).add(edge);
        }
      }
      List<Statement> statements = new ArrayList<>(2);
      if (!created.isEmpty()) {
        List<Map<String, Object>> grouped = new ArrayList<>(created.size());
        created.forEach((userId, edges) -> grouped.add(row("user_id", userId, "edges", edges)));
        statements.add(new Statement(create, grouped));
      }
      if (!existing.isEmpty()) {
        statements.add(new Statement(cypher, existing));
      }
      return statements;
    }
  }

  /** A statement to run and the rows it unwinds. */
  record Statement(String cypher, List<Map<String, Object>> rows) {}

  /** Step kind → the statement that writes its rows for users the transaction created. */
  private static final Map<String, String> CREATE_STATEMENTS =
      Map.of(
          "purchased", GraphCypher.CREATE_PURCHASED,
          "shops_at", GraphCypher.CREATE_SHOPS_AT,
          "shops_in", GraphCypher.CREATE_SHOPS_IN);

  private final int updateCount;
  private final List<Step> steps;

  private GraphBatch(int updateCount, List<Step> steps) {
    this.updateCount = updateCount;
    this.steps = steps;
  }

  int updateCount() {
    return updateCount;
  }

  /** Steps with at least one row, in execution order: nodes first, then relationships. */
  List<Step> steps() {
    return steps;
  }

  /**
   * The same batch with only the rows {@code keep} accepts (given the step kind and the row); steps
   * left without rows are dropped. Update count is unchanged: the updates are still written.
   */
  GraphBatch keepRows(BiPredicate<String, Map<String, Object>> keep) {
    List<Step> kept = new ArrayList<>(steps.size());
    for (Step step : steps) {
      List<Map<String, Object>> rows =
          step.rows().stream().filter(row -> keep.test(step.kind(), row)).toList();
      if (rows.size() == step.rows().size()) {
        kept.add(step);
      } else if (!rows.isEmpty()) {
        kept.add(new Step(step.kind(), step.cypher(), rows));
      }
    }
    return new GraphBatch(updateCount, List.copyOf(kept));
  }

  int rowCount() {
    return steps.stream().mapToInt(s -> s.rows().size()).sum();
  }

  /** Item rows an update adds to the buffer: one per purchased product, at least one. */
  static int itemRows(GraphUpdate update) {
    int rows = 0;
    if (update.purchases() != null) {
      for (EnrichedPurchase purchase : update.purchases()) {
        if (purchase != null && purchase.products() != null) {
          rows += purchase.products().length;
        }
      }
    }
    return Math.max(rows, 1);
  }

  static GraphBatch fold(List<GraphUpdate> updates) {
    Folder folder = new Folder();
    updates.forEach(folder::add);
    return new GraphBatch(updates.size(), folder.steps());
  }

  /** The aggregates of one user within the batch. */
  private static final class UserFold {
    long updatedAtMs = Long.MIN_VALUE;
    boolean fullLoad;
    // The earliest window any full load of the batch replaced: what the batch's aggregate rows
    // stand for from there on.
    long windowStartMs = Long.MAX_VALUE;
    // product -> purchase id -> purchase time; the first occurrence of an id wins.
    final Map<String, Map<String, Long>> purchased = new TreeMap<>();
    // retailer / category -> purchase id -> purchase time.
    final Map<String, Map<String, Long>> shopsAt = new TreeMap<>();
    final Map<String, Map<String, Long>> shopsIn = new TreeMap<>();

    void resetForFullLoad(long fromMs) {
      // A full load carries the history of its window: what earlier updates of this batch added
      // inside the window is either in it or deliberately dropped by it; what lies before the
      // window stays, as it does in Neo4j. PURCHASED stays add-only.
      fullLoad = true;
      windowStartMs = Math.min(windowStartMs, fromMs);
      dropFrom(shopsAt, fromMs);
      dropFrom(shopsIn, fromMs);
    }

    private static void dropFrom(Map<String, Map<String, Long>> aggregates, long fromMs) {
      aggregates.values().forEach(ids -> ids.values().removeIf(t -> t >= fromMs));
      aggregates.values().removeIf(Map::isEmpty);
    }
  }

  /** Latest non-empty attribute values of a product seen in the batch. */
  private static final class ProductFold {
    String name;
    String brand;
    String categoryId;
    List<String> categoryHierarchy;
  }

  private static final class RetailerFold {
    String name;
    String storeType;
  }

  private static final class Folder {
    final Map<String, UserFold> users = new TreeMap<>();
    final Map<String, ProductFold> products = new TreeMap<>();
    final Map<String, List<String>> categories = new TreeMap<>();
    final Map<String, RetailerFold> retailers = new TreeMap<>();

    void add(GraphUpdate update) {
      if (update == null || isBlank(update.userId())) {
        return;
      }
      UserFold user = users.computeIfAbsent(update.userId(), id -> new UserFold());
      user.updatedAtMs = Math.max(user.updatedAtMs, update.updatedAtMs());
      if (update.fullLoad()) {
        user.resetForFullLoad(update.windowStartMs());
      }
      if (update.purchases() == null) {
        return;
      }
      for (EnrichedPurchase purchase : update.purchases()) {
        if (purchase == null || isBlank(purchase.purchaseId())) {
          continue;
        }
        addPurchase(user, purchase);
      }
    }

    private void addPurchase(UserFold user, EnrichedPurchase purchase) {
      String purchaseId = purchase.purchaseId();
      Retailer retailer = purchase.retailer();
      if (retailer != null && !isBlank(retailer.retailerId())) {
        RetailerFold fold =
            retailers.computeIfAbsent(retailer.retailerId(), id -> new RetailerFold());
        fold.name = latest(fold.name, retailer.name());
        fold.storeType = latest(fold.storeType, retailer.storeType());
        user.shopsAt
            .computeIfAbsent(retailer.retailerId(), id -> new LinkedHashMap<>())
            .putIfAbsent(purchaseId, purchase.purchaseTimeMs());
      }
      if (purchase.products() == null) {
        return;
      }
      for (Product product : purchase.products()) {
        if (product == null || isBlank(product.productId())) {
          continue;
        }
        ProductFold fold = products.computeIfAbsent(product.productId(), id -> new ProductFold());
        fold.name = latest(fold.name, product.name());
        fold.brand = latest(fold.brand, product.brand());
        List<String> hierarchy = hierarchy(product.categoryHierarchy());
        if (hierarchy != null) {
          fold.categoryHierarchy = hierarchy;
        }
        user.purchased
            .computeIfAbsent(product.productId(), id -> new LinkedHashMap<>())
            .putIfAbsent(purchaseId, purchase.purchaseTimeMs());
        if (product.hasCategory()) {
          fold.categoryId = product.categoryId();
          categories.merge(
              product.categoryId(),
              hierarchy == null ? List.of() : hierarchy,
              (old, fresh) -> fresh.isEmpty() ? old : fresh);
          user.shopsIn
              .computeIfAbsent(product.categoryId(), id -> new LinkedHashMap<>())
              .putIfAbsent(purchaseId, purchase.purchaseTimeMs());
        }
      }
    }

    List<Step> steps() {
      List<Step> steps = new ArrayList<>();
      step(steps, USERS, GraphCypher.MERGE_USERS, userRows());
      step(steps, "categories", GraphCypher.MERGE_CATEGORIES, categoryRows());
      step(steps, "products", GraphCypher.MERGE_PRODUCTS, productRows());
      step(steps, "retailers", GraphCypher.MERGE_RETAILERS, retailerRows());
      step(steps, "in_category", GraphCypher.LINK_PRODUCT_CATEGORIES, inCategoryRows());
      step(steps, "purchased", GraphCypher.MERGE_PURCHASED, purchasedRows());
      step(steps, "stale_shops_at", GraphCypher.DELETE_STALE_SHOPS_AT, staleRows(true));
      step(steps, "stale_shops_in", GraphCypher.DELETE_STALE_SHOPS_IN, staleRows(false));
      step(steps, "shops_at", GraphCypher.MERGE_SHOPS_AT, aggregateRows(true));
      step(steps, "shops_in", GraphCypher.MERGE_SHOPS_IN, aggregateRows(false));
      return List.copyOf(steps);
    }

    private static void step(
        List<Step> steps, String kind, String cypher, List<Map<String, Object>> rows) {
      if (!rows.isEmpty()) {
        steps.add(new Step(kind, cypher, List.copyOf(rows)));
      }
    }

    private List<Map<String, Object>> userRows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      users.forEach(
          (userId, fold) -> rows.add(row("user_id", userId, "updated_at", fold.updatedAtMs)));
      return rows;
    }

    private List<Map<String, Object>> categoryRows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      categories.forEach(
          (id, hierarchy) ->
              rows.add(
                  row("category_id", id, "hierarchy", hierarchy.isEmpty() ? null : hierarchy)));
      return rows;
    }

    private List<Map<String, Object>> productRows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      products.forEach(
          (id, fold) ->
              rows.add(
                  row(
                      "product_id", id,
                      "name", fold.name,
                      "brand", fold.brand,
                      "category_id", fold.categoryId,
                      "category_hierarchy", fold.categoryHierarchy)));
      return rows;
    }

    private List<Map<String, Object>> retailerRows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      retailers.forEach(
          (id, fold) ->
              rows.add(row("retailer_id", id, "name", fold.name, "store_type", fold.storeType)));
      return rows;
    }

    private List<Map<String, Object>> inCategoryRows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      products.forEach(
          (id, fold) -> {
            if (fold.categoryId != null) {
              rows.add(row("product_id", id, "category_id", fold.categoryId));
            }
          });
      return rows;
    }

    private List<Map<String, Object>> purchasedRows() {
      List<Map<String, Object>> rows = new ArrayList<>();
      users.forEach(
          (userId, fold) ->
              fold.purchased.forEach(
                  (productId, times) ->
                      rows.add(
                          row(
                              "user_id",
                              userId,
                              "product_id",
                              productId,
                              "receipt_ids",
                              List.copyOf(times.keySet()),
                              "timestamps",
                              List.copyOf(times.values())))));
      return rows;
    }

    private List<Map<String, Object>> staleRows(boolean retailers) {
      List<Map<String, Object>> rows = new ArrayList<>();
      users.forEach(
          (userId, fold) -> {
            if (fold.fullLoad) {
              Set<String> kept = retailers ? fold.shopsAt.keySet() : fold.shopsIn.keySet();
              rows.add(
                  row(
                      "user_id",
                      userId,
                      retailers ? "retailer_ids" : "category_ids",
                      List.copyOf(kept),
                      "window_start",
                      fold.windowStartMs));
            }
          });
      return rows;
    }

    private List<Map<String, Object>> aggregateRows(boolean retailers) {
      String key = retailers ? "retailer_id" : "category_id";
      List<Map<String, Object>> rows = new ArrayList<>();
      users.forEach(
          (userId, fold) ->
              (retailers ? fold.shopsAt : fold.shopsIn)
                  .forEach(
                      (id, times) -> {
                        Map<String, Object> row =
                            row(
                                "user_id",
                                userId,
                                key,
                                id,
                                "receipt_ids",
                                List.copyOf(times.keySet()),
                                "timestamps",
                                List.copyOf(times.values()),
                                "replace",
                                fold.fullLoad);
                        if (fold.fullLoad) {
                          row.put("window_start", fold.windowStartMs);
                        }
                        rows.add(row);
                      }));
      return rows;
    }
  }

  /** A row map that, unlike Map.of, keeps null values (null means "keep the stored value"). */
  private static Map<String, Object> row(Object... keysAndValues) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      row.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return row;
  }

  private static String latest(String current, String candidate) {
    return isBlank(candidate) ? current : candidate;
  }

  private static List<String> hierarchy(String[] ids) {
    if (ids == null) {
      return null;
    }
    List<String> clean = Arrays.stream(ids).filter(id -> !isBlank(id)).toList();
    return clean.isEmpty() ? null : clean;
  }

  private static boolean isBlank(String value) {
    return value == null || value.isEmpty();
  }

  @Override
  public String toString() {
    StringBuilder text = new StringBuilder().append(updateCount).append(" updates");
    for (Step step : steps) {
      text.append(", ").append(step.kind()).append('=').append(step.rows().size());
    }
    return text.toString();
  }
}
