package io.consumergraph.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deterministic synthetic data behind the upstream simulator: products, categories, retailers,
 * purchase histories and BTS shop orders, all derived from a seed and stable hashes, so tests and
 * data generators compute the same answers the HTTP endpoints give.
 *
 * <p>Per-user histories live on an absolute timeline: a user with {@code n} receipts (or shop
 * orders) a year has one every {@code 365 days / n}, at a per-user phase. Any 365-day window
 * therefore holds exactly {@code n} of them, and asking again later returns the same ids and times
 * for the overlap.
 */
public final class SyntheticCatalog {

  public static final long DEFAULT_SEED = 42L;
  public static final int DEFAULT_PRODUCT_COUNT = 5_000;
  public static final int DEFAULT_RETAILER_COUNT = 200;

  static final long DAY_MS = 24L * 60 * 60 * 1000;
  static final long YEAR_MS = 365 * DAY_MS;

  /** Share of products FPS has a category for (seed 001: "FPS returns a category id for ~47%"). */
  static final double CATEGORIZED_SHARE = 0.47;

  /** Share of users with any BTS transaction (seed 001: ~29%). */
  static final double SHOP_USER_SHARE = 0.29;

  /** Upper bound of receipts a user has per year. */
  static final int MAX_RECEIPTS_PER_YEAR = 40;

  /** Share of receipt items the receipt pipeline could not match to a FIDO. */
  static final double UNMATCHED_ITEM_SHARE = 0.10;

  /**
   * Quantile function of the yearly shop-order count among users that have any: log-linear between
   * the seed's figures (median 3, p90 32, p99 171, max 288).
   */
  private static final double[] ORDER_QUANTILES = {0.0, 0.5, 0.9, 0.99, 1.0};

  private static final double[] ORDER_COUNTS = {1, 3, 32, 171, 288};

  private static final String[] ROOTS = {
    "Food", "Beverages", "Household", "Personal Care", "Health", "Baby & Kids"
  };
  private static final String[] SUBS = {"Everyday", "Specialty", "Seasonal"};
  private static final String[] LEAVES = {"Basics", "Premium", "Organic"};
  private static final String[] BRANDS = {
    "Acme", "Northfield", "Bright Day", "Green Valley", "Kindred", "Oak & Pine", "Sunny Side",
    "Blue Harbor", "True Craft", "Maple Row", "Silverline", "Golden Fields", "Purely", "Hearth",
    "Summit", "Riverbend", "Lumen", "Cedar Lane", "Harvest Moon", "Brightwell"
  };
  private static final String[] ADJECTIVES = {
    "Classic",
    "Crunchy",
    "Fresh",
    "Light",
    "Original",
    "Extra",
    "Gentle",
    "Spicy",
    "Sweet",
    "Ultra",
    "Daily",
    "Family Size",
    "Mini",
    "Zesty",
    "Smooth"
  };
  private static final String[] NOUNS = {
    "Cereal",
    "Cola",
    "Paper Towels",
    "Shampoo",
    "Yogurt",
    "Coffee",
    "Chips",
    "Detergent",
    "Toothpaste",
    "Granola Bars",
    "Sparkling Water",
    "Diapers",
    "Vitamins",
    "Pasta",
    "Salsa",
    "Cookies",
    "Orange Juice",
    "Dish Soap",
    "Hand Lotion",
    "Frozen Pizza"
  };
  private static final String[] SIZES = {"8 oz", "12 oz", "16 oz", "24 ct", "1 L", "2 lb", "6 pk"};
  private static final String[] RETAILER_WORDS = {
    "Fresh", "Corner", "Value", "Metro", "Family", "Prime", "Sun", "City", "Harbor", "Park"
  };
  // Weighted: most receipts come from grocery and mass merchants.
  private static final String[] STORE_TYPES = {
    "GROCERY",
    "GROCERY",
    "GROCERY",
    "GROCERY",
    "PHARMACY",
    "PHARMACY",
    "CLUB",
    "CONVENIENCE",
    "CONVENIENCE",
    "ONLINE",
    "ONLINE",
    "MASS_MERCHANT",
    "MASS_MERCHANT",
    "DOLLAR",
    "HOME_IMPROVEMENT"
  };

  private final long seed;
  private final List<CatalogProduct> products;
  private final Map<String, Integer> productIndex;
  private final Map<String, CatalogCategory> categories;
  private final List<String> leafCategoryIds;
  private final List<CatalogRetailer> retailers;
  private final Map<String, CatalogRetailer> retailersById;

  /** The default catalog: seed 42, 5,000 products, 200 retailers. */
  public SyntheticCatalog() {
    this(DEFAULT_SEED, DEFAULT_PRODUCT_COUNT, DEFAULT_RETAILER_COUNT);
  }

  public SyntheticCatalog(long seed, int productCount, int retailerCount) {
    if (productCount < 1 || retailerCount < 1) {
      throw new IllegalArgumentException("need at least one product and one retailer");
    }
    this.seed = seed;
    this.categories = buildCategories();
    this.leafCategoryIds = new ArrayList<>();
    for (CatalogCategory c : categories.values()) {
      if (c.hierarchy().size() == 3) {
        leafCategoryIds.add(c.categoryId());
      }
    }
    this.products = new ArrayList<>(productCount);
    this.productIndex = new HashMap<>(productCount * 2);
    for (int i = 0; i < productCount; i++) {
      CatalogProduct p = buildProduct(i);
      if (productIndex.putIfAbsent(p.fido(), i) != null) {
        throw new IllegalStateException("FIDO collision for seed " + seed + ": " + p.fido());
      }
      products.add(p);
    }
    this.retailers = new ArrayList<>(retailerCount);
    this.retailersById = new HashMap<>(retailerCount * 2);
    for (int i = 0; i < retailerCount; i++) {
      CatalogRetailer r = buildRetailer(i);
      retailers.add(r);
      retailersById.put(r.retailerId(), r);
    }
  }

  public long seed() {
    return seed;
  }

  // ---------------------------------------------------------------- products, categories,
  // retailers

  public int productCount() {
    return products.size();
  }

  /** The i-th known FIDO, for i in [0, productCount()). */
  public String fido(int i) {
    return products.get(i).fido();
  }

  /** The product with this FIDO, or null when FPS does not know it. */
  public CatalogProduct product(String fido) {
    Integer i = fido == null ? null : productIndex.get(fido);
    return i == null ? null : products.get(i);
  }

  /** All category ids, roots first. */
  public List<String> categoryIds() {
    return List.copyOf(categories.keySet());
  }

  /** The category with this id, or null when the category service does not know it. */
  public CatalogCategory category(String categoryId) {
    return categoryId == null ? null : categories.get(categoryId);
  }

  public int retailerCount() {
    return retailers.size();
  }

  /** The i-th known retailer id, for i in [0, retailerCount()). */
  public String retailerId(int i) {
    return retailers.get(i).retailerId();
  }

  /** The retailer with this id, or null when the retailer service does not know it. */
  public CatalogRetailer retailer(String retailerId) {
    return retailerId == null ? null : retailersById.get(retailerId);
  }

  // ---------------------------------------------------------------- purchase history

  /** How many receipts this user scans per year (0..40). */
  public int receiptsPerYear(String userId) {
    return StableHash.below(
        StableHash.of(seed, "receipts-per-year|" + userId), MAX_RECEIPTS_PER_YEAR + 1);
  }

  /**
   * The user's receipts with {@code sinceMs <= purchaseTimeMs < nowMs}, oldest first. Over a
   * 365-day window this is exactly {@link #receiptsPerYear} receipts.
   */
  public List<HistoryReceipt> receiptsFor(String userId, long sinceMs, long nowMs) {
    int perYear = receiptsPerYear(userId);
    List<HistoryReceipt> out = new ArrayList<>();
    for (long slot : slots(userId, "receipts", perYear, sinceMs, nowMs)) {
      out.add(receipt(userId, slot, slotTime(userId, "receipts", perYear, slot)));
    }
    return out;
  }

  private HistoryReceipt receipt(String userId, long slot, long timeMs) {
    String key = userId + "|" + slot;
    long h = StableHash.of(seed, "receipt|" + key);
    String receiptId = String.format("rc-%016x", h);
    CatalogRetailer retailer = retailers.get(retailerFor(userId, h));
    int itemCount = 1 + StableHash.below(StableHash.mix(h ^ 0x1234L), 8);
    List<HistoryReceiptItem> items = new ArrayList<>(itemCount);
    Set<String> seen = new LinkedHashSet<>();
    for (int j = 0; j < itemCount; j++) {
      long ih = StableHash.of(seed, "receipt-item|" + key + "|" + j);
      if (StableHash.unit(ih) < UNMATCHED_ITEM_SHARE) {
        items.add(new HistoryReceiptItem("", "UNMATCHED ITEM " + (j + 1), "", 1, 1.99));
        continue;
      }
      CatalogProduct p = products.get(popularProduct(StableHash.mix(ih)));
      if (!seen.add(p.fido())) {
        continue; // one line per product: receipts list a product once with its quantity
      }
      double quantity = 1 + StableHash.below(StableHash.mix(ih + 1), 3);
      items.add(new HistoryReceiptItem(p.fido(), p.name(), p.brand(), quantity, p.price()));
    }
    return new HistoryReceipt(
        receiptId, userId, timeMs, retailer.retailerId(), retailer.name(), List.copyOf(items));
  }

  // ---------------------------------------------------------------- BTS shop orders

  /**
   * How many BTS shop orders this user places per year: 0 for ~71% of users; among the others the
   * seed's distribution (median 3, p90 32, p99 171, max 288).
   */
  public int shopOrdersPerYear(String userId) {
    if (StableHash.unit(StableHash.of(seed, "bts-has|" + userId)) >= SHOP_USER_SHARE) {
      return 0;
    }
    double u = StableHash.unit(StableHash.of(seed, "bts-count|" + userId));
    int i = 1;
    while (i < ORDER_QUANTILES.length - 1 && u > ORDER_QUANTILES[i]) {
      i++;
    }
    double t = (u - ORDER_QUANTILES[i - 1]) / (ORDER_QUANTILES[i] - ORDER_QUANTILES[i - 1]);
    double logCount =
        Math.log(ORDER_COUNTS[i - 1])
            + t * (Math.log(ORDER_COUNTS[i]) - Math.log(ORDER_COUNTS[i - 1]));
    return (int) Math.max(1, Math.min(288, Math.round(Math.exp(logCount))));
  }

  /**
   * The user's shop orders with {@code sinceMs <= createdAtMs < nowMs}, oldest first. Over a
   * 365-day window this is exactly {@link #shopOrdersPerYear} orders.
   */
  public List<ShopOrder> shopOrdersFor(String userId, long sinceMs, long nowMs) {
    int perYear = shopOrdersPerYear(userId);
    List<ShopOrder> out = new ArrayList<>();
    for (long slot : slots(userId, "bts", perYear, sinceMs, nowMs)) {
      out.add(shopOrder(userId, slot, perYear));
    }
    return out;
  }

  /**
   * The shop order with this buttonOrderId, or null when there is none. Ids have the form {@code
   * bo-<slot>-<userId>} so the simulator can serve the detail endpoint without storing orders.
   */
  public ShopOrder shopOrder(String buttonOrderId) {
    if (buttonOrderId == null || !buttonOrderId.startsWith("bo-")) {
      return null;
    }
    int dash = buttonOrderId.indexOf('-', 3);
    if (dash < 0 || dash == buttonOrderId.length() - 1) {
      return null;
    }
    long slot;
    try {
      slot = Long.parseLong(buttonOrderId.substring(3, dash));
    } catch (NumberFormatException e) {
      return null;
    }
    String userId = buttonOrderId.substring(dash + 1);
    int perYear = shopOrdersPerYear(userId);
    if (perYear == 0 || slot < 0) {
      return null;
    }
    return shopOrder(userId, slot, perYear);
  }

  private ShopOrder shopOrder(String userId, long slot, int perYear) {
    String key = userId + "|" + slot;
    long h = StableHash.of(seed, "order|" + key);
    CatalogRetailer retailer = retailers.get(StableHash.below(h, retailers.size()));
    int itemCount = 1 + StableHash.below(StableHash.mix(h ^ 0x5678L), 4);
    Map<String, ShopOrderLineItem> items = new LinkedHashMap<>();
    for (int j = 0; j < itemCount; j++) {
      long ih = StableHash.of(seed, "order-item|" + key + "|" + j);
      CatalogProduct p = products.get(popularProduct(ih));
      double quantity = 1 + StableHash.below(StableHash.mix(ih + 1), 2);
      items.putIfAbsent(
          p.fido(), new ShopOrderLineItem(p.fido(), p.name(), p.brand(), quantity, p.price()));
    }
    return new ShopOrder(
        "bo-" + slot + "-" + userId,
        userId,
        retailer.retailerId(),
        retailer.name(),
        "FINALIZED",
        slotTime(userId, "bts", perYear, slot),
        List.copyOf(items.values()));
  }

  // ---------------------------------------------------------------- timeline

  /**
   * Slots of a periodic per-user timeline (period 365 days / perYear, per-user phase) whose times
   * fall in [sinceMs, nowMs).
   */
  private List<Long> slots(String userId, String stream, int perYear, long sinceMs, long nowMs) {
    if (perYear == 0 || nowMs <= sinceMs) {
      return Collections.emptyList();
    }
    long period = YEAR_MS / perYear;
    long phase = phase(userId, stream, period);
    long first = Math.max(0, ceilDiv(sinceMs - phase, period));
    long last = ceilDiv(nowMs - phase, period) - 1;
    List<Long> out = new ArrayList<>();
    for (long k = first; k <= last; k++) {
      out.add(k);
    }
    return out;
  }

  private long slotTime(String userId, String stream, int perYear, long slot) {
    long period = YEAR_MS / perYear;
    return phase(userId, stream, period) + slot * period;
  }

  private long phase(String userId, String stream, long period) {
    return Math.floorMod(StableHash.of(seed, "phase|" + stream + "|" + userId), period);
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }

  // ---------------------------------------------------------------- builders

  /** Products are skewed towards low indices so users repurchase popular products. */
  private int popularProduct(long hash) {
    double u = StableHash.unit(hash);
    return (int) Math.min(products.size() - 1, Math.floor(u * u * products.size()));
  }

  /** Users mostly shop at three favourite retailers. */
  private int retailerFor(String userId, long receiptHash) {
    int n = retailers.size();
    if (StableHash.unit(StableHash.mix(receiptHash ^ 0x9abcL)) < 0.2) {
      return StableHash.below(receiptHash, n);
    }
    int favourite = StableHash.below(StableHash.mix(receiptHash ^ 0xdefL), 3);
    long fh = StableHash.of(seed, "favourite-retailer|" + userId + "|" + favourite);
    double u = StableHash.unit(fh);
    return (int) Math.min(n - 1, Math.floor(u * u * n));
  }

  private CatalogProduct buildProduct(int i) {
    long h = StableHash.of(seed, "product|" + i);
    String fido = String.format("fido-%012x", h & 0xffffffffffffL);
    String brand = BRANDS[StableHash.below(StableHash.mix(h + 1), BRANDS.length)];
    String name =
        brand
            + " "
            + ADJECTIVES[StableHash.below(StableHash.mix(h + 2), ADJECTIVES.length)]
            + " "
            + NOUNS[StableHash.below(StableHash.mix(h + 3), NOUNS.length)]
            + " "
            + SIZES[StableHash.below(StableHash.mix(h + 4), SIZES.length)];
    String categoryId =
        StableHash.unit(StableHash.mix(h + 5)) < CATEGORIZED_SHARE
            ? leafCategoryIds.get(StableHash.below(StableHash.mix(h + 6), leafCategoryIds.size()))
            : "";
    double price = Math.round((0.99 + StableHash.unit(StableHash.mix(h + 7)) * 19) * 100) / 100.0;
    return new CatalogProduct(fido, name, brand, categoryId, price);
  }

  private CatalogRetailer buildRetailer(int i) {
    long h = StableHash.of(seed, "retailer|" + i);
    String storeType = STORE_TYPES[StableHash.below(h, STORE_TYPES.length)];
    String word = RETAILER_WORDS[StableHash.below(StableHash.mix(h + 1), RETAILER_WORDS.length)];
    String suffix =
        switch (storeType) {
          case "GROCERY" -> "Market";
          case "PHARMACY" -> "Pharmacy";
          case "CLUB" -> "Wholesale Club";
          case "CONVENIENCE" -> "Stop";
          case "ONLINE" -> "Online";
          case "MASS_MERCHANT" -> "Superstore";
          case "DOLLAR" -> "Dollar";
          default -> "Home Center";
        };
    return new CatalogRetailer(
        String.format("ret-%04d", i), word + " " + suffix + " #" + i, storeType);
  }

  /** Three levels: 6 roots, 3 subcategories each, 3 leaves each (78 categories). */
  private static Map<String, CatalogCategory> buildCategories() {
    Map<String, CatalogCategory> out = new LinkedHashMap<>();
    List<CatalogCategory> subs = new ArrayList<>();
    List<CatalogCategory> leaves = new ArrayList<>();
    for (int r = 0; r < ROOTS.length; r++) {
      String rootId = String.format("cat-%02d", r + 1);
      out.put(rootId, new CatalogCategory(rootId, ROOTS[r], List.of(rootId)));
      for (int s = 0; s < SUBS.length; s++) {
        String subId = rootId + "-" + (s + 1);
        subs.add(new CatalogCategory(subId, ROOTS[r] + " / " + SUBS[s], List.of(rootId, subId)));
        for (int l = 0; l < LEAVES.length; l++) {
          String leafId = subId + "-" + (l + 1);
          leaves.add(
              new CatalogCategory(
                  leafId,
                  ROOTS[r] + " / " + SUBS[s] + " / " + LEAVES[l],
                  List.of(rootId, subId, leafId)));
        }
      }
    }
    for (CatalogCategory c : subs) {
      out.put(c.categoryId(), c);
    }
    for (CatalogCategory c : leaves) {
      out.put(c.categoryId(), c);
    }
    return Collections.unmodifiableMap(out);
  }
}
