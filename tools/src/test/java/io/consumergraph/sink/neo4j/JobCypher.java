package io.consumergraph.sink.neo4j;

/** The job's own Cypher (package-private {@link GraphCypher}), for the tools' graph tests. */
public final class JobCypher {

  private JobCypher() {}

  public static final String MERGE_USERS = GraphCypher.MERGE_USERS;
  public static final String MERGE_CATEGORIES = GraphCypher.MERGE_CATEGORIES;
  public static final String MERGE_PRODUCTS = GraphCypher.MERGE_PRODUCTS;
  public static final String MERGE_RETAILERS = GraphCypher.MERGE_RETAILERS;
  public static final String LINK_PRODUCT_CATEGORIES = GraphCypher.LINK_PRODUCT_CATEGORIES;
  public static final String MERGE_PURCHASED = GraphCypher.MERGE_PURCHASED;
  public static final String MERGE_SHOPS_AT = GraphCypher.MERGE_SHOPS_AT;
  public static final String MERGE_SHOPS_IN = GraphCypher.MERGE_SHOPS_IN;
  public static final java.util.List<String> CONSTRAINTS = GraphCypher.CONSTRAINTS;
}
