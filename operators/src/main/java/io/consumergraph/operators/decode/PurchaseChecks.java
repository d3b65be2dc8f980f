package io.consumergraph.operators.decode;

import io.consumergraph.model.PurchaseEvent;
import io.consumergraph.model.PurchasedItem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The limits every purchase must meet before it may reach the graph, whichever path it came by
 * (receipts, factoids, a backfill's history): ids present and short enough for Neo4j's index keys,
 * a purchase time that is set and not in the future. A purchase that fails them is dead-lettered
 * (live) or left out of its history (backfill) with the reason, instead of failing a whole batch in
 * Neo4j.
 */
public final class PurchaseChecks {

  /**
   * The longest id, in UTF-8 bytes. Neo4j rejects index keys above ~8 KB (user, product and
   * retailer ids are keys of uniqueness constraints); real ids are tens of bytes.
   */
  public static final int MAX_ID_BYTES = 1024;

  /** How far in the future a purchase time may be (clock skew between devices and servers). */
  public static final long MAX_FUTURE_SKEW_MS = Duration.ofDays(1).toMillis();

  private PurchaseChecks() {}

  /** Null when the purchase meets every limit, else what is wrong with it. */
  public static String problem(PurchaseEvent event, long nowMs) {
    String id = event.purchaseId();
    String problem = idProblem("purchase id", id, true);
    if (problem != null) {
      return problem;
    }
    problem = idProblem("user id", event.userId(), true);
    if (problem == null) {
      problem = idProblem("retailer id", event.retailerId(), false);
    }
    for (int i = 0; problem == null && i < event.items().length; i++) {
      PurchasedItem item = event.items()[i];
      problem = idProblem("FIDO", item.fido(), true);
    }
    if (problem == null && event.purchaseTimeMs() <= 0) {
      problem = "no purchase time";
    }
    if (problem == null && event.purchaseTimeMs() > nowMs + MAX_FUTURE_SKEW_MS) {
      problem = "purchase time " + event.purchaseTimeMs() + " is in the future";
    }
    return problem == null ? null : problem + " (purchase " + abbreviated(id) + ")";
  }

  /** Null when {@code value} is a usable id ({@code required}: not empty), else the problem. */
  public static String idProblem(String what, String value, boolean required) {
    if (value == null || value.isEmpty()) {
      return required ? what + " is empty" : null;
    }
    if (value.length() * 3L <= MAX_ID_BYTES) {
      return null; // a UTF-16 char is at most 3 UTF-8 bytes: no need to encode (every record)
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_ID_BYTES) {
      return what + " is " + bytes + " bytes long, more than " + MAX_ID_BYTES;
    }
    return null;
  }

  /** An id short enough for a log line or a dead letter's detail. */
  public static String abbreviated(String id) {
    return id.length() <= 80 ? id : id.substring(0, 80) + "…";
  }
}
