package io.consumergraph.job.savepoint;

import static io.consumergraph.job.savepoint.SavepointFixture.HELD_RECEIPT;
import static io.consumergraph.job.savepoint.SavepointFixture.HELD_USER;
import static io.consumergraph.job.savepoint.SavepointFixture.LIVE_RECEIPTS;
import static io.consumergraph.job.savepoint.SavepointFixture.LIVE_USER;
import static io.consumergraph.job.savepoint.SavepointFixture.LOADED_USER;
import static io.consumergraph.job.savepoint.SavepointFixture.LOAD_REQUEST_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.consumergraph.job.inspect.StateInspect;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code state-inspect} on the committed savepoint fixture: the totals and each fixture user's
 * state are exactly what {@link SavepointFixtureWriterIT} put there.
 */
class StateInspectFixtureTest {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PATH = SavepointFixture.SAVEPOINT.toString();

  private static long createdAt;

  @BeforeAll
  static void readManifest() throws Exception {
    createdAt = SavepointFixture.createdAtMs();
  }

  @Test
  void totalsCountEveryStatesKeysEntriesAndBytes() throws Exception {
    Run run = run("--path", PATH, "--json");
    assertThat(run.exit).as(run.err).isZero();
    JsonNode totals = JSON.readTree(run.out);

    assertThat(totals.get("kind").asText()).isEqualTo("savepoint");
    // The fixture is a savepoint of the job before auto-load: it has no throttle.
    assertThat(totals.get("absentOperators"))
        .extracting(JsonNode::asText)
        .containsExactly("auto-load-throttle");
    assertThat(totals.get("unknownStates")).as("states the tool does not read").isEmpty();
    Map<String, long[]> byState = new HashMap<>();
    for (JsonNode s : totals.get("states")) {
      byState.put(
          s.get("operator").asText() + "/" + s.get("state").asText(),
          new long[] {s.get("keys").asLong(), s.get("entries").asLong(), s.get("bytes").asLong()});
    }
    Map<String, long[]> nonEmpty = new HashMap<>();
    byState.forEach(
        (state, t) -> {
          if (t[1] > 0) {
            nonEmpty.put(state, new long[] {t[0], t[1]});
          }
        });
    assertThat(nonEmpty)
        .as("keys and entries of the states that hold something")
        .containsOnlyKeys(
            "user-gate/held-purchases",
            "user-gate/flag-snapshot",
            "dedup-purchases/seen-purchase-ids",
            "full-load-merger/recent-live-purchases",
            "load-coordinator/loaded-at",
            "load-coordinator/seen-load-requests");
    assertThat(nonEmpty.get("user-gate/held-purchases")).containsExactly(1, 1);
    assertThat(nonEmpty.get("user-gate/flag-snapshot")).containsExactly(0, 1);
    assertThat(nonEmpty.get("dedup-purchases/seen-purchase-ids")).containsExactly(1, 2);
    assertThat(nonEmpty.get("full-load-merger/recent-live-purchases")).containsExactly(1, 2);
    assertThat(nonEmpty.get("load-coordinator/loaded-at")).containsExactly(1, 1);
    assertThat(nonEmpty.get("load-coordinator/seen-load-requests")).containsExactly(1, 1);
    assertThat(byState)
        .as("every state of the four operators is listed, empty ones too")
        .containsKeys(
            "user-gate/awaiting-flags",
            "user-gate/awaiting-id-lists",
            "user-gate/awaiting-id-lists-until",
            "user-gate/id-list-versions",
            "user-gate/experiment-enrolled",
            "load-coordinator/load-in-flight",
            "load-coordinator/load-in-flight-since",
            "load-coordinator/load-request-waiting");

    List<String> ttl = new ArrayList<>();
    for (JsonNode s : totals.get("states")) {
      if (s.get("ttl").asBoolean()) {
        ttl.add(s.get("operator").asText() + "/" + s.get("state").asText());
      }
    }
    assertThat(ttl)
        .as("states written with a TTL, read from the snapshot (StateTtl in operators)")
        .containsExactlyInAnyOrder(
            "user-gate/awaiting-id-lists",
            "user-gate/awaiting-id-lists-until",
            "dedup-purchases/seen-purchase-ids",
            "full-load-merger/recent-live-purchases",
            "load-coordinator/loaded-at",
            "load-coordinator/seen-load-requests");

    // Serialized sizes: a string is its length (one byte) and one byte per ASCII char, a long 8.
    long userId = LOADED_USER.length() + 1;
    assertThat(byState.get("load-coordinator/loaded-at")[2]).isEqualTo(userId + 8);
    assertThat(byState.get("load-coordinator/seen-load-requests")[2])
        .isEqualTo(userId + LOAD_REQUEST_ID.length() + 1 + 8);
    long liveUserId = LIVE_USER.length() + 1;
    long seenIds = 0;
    for (String id : LIVE_RECEIPTS) {
      seenIds += liveUserId + id.length() + 1 + 8;
    }
    assertThat(byState.get("dedup-purchases/seen-purchase-ids")[2]).isEqualTo(seenIds);
    long sum = 0;
    for (long[] t : byState.values()) {
      assertThat(t[2] > 0).as("bytes only where there are entries").isEqualTo(t[1] > 0);
      sum += t[2];
    }
    assertThat(totals.at("/total/users").asLong()).isEqualTo(3);
    assertThat(totals.at("/total/entries").asLong()).isEqualTo(8);
    assertThat(totals.at("/total/bytes").asLong()).isEqualTo(sum);
  }

  @Test
  void theLoadedUserHasItsLoadedMarkAndSeenRequestAndNothingElse() throws Exception {
    JsonNode user = userJson(LOADED_USER);

    JsonNode coordinator = user.at("/operators/load-coordinator");
    assertThat(Instant.ofEpochMilli(coordinator.get("loaded-at").asLong()))
        .isBetween(Instant.ofEpochMilli(createdAt - 300_000), Instant.ofEpochMilli(createdAt));
    assertThat(fieldNames(coordinator.get("seen-load-requests"))).containsExactly(LOAD_REQUEST_ID);
    assertThat(coordinator.get("seen-load-requests").get(LOAD_REQUEST_ID).asLong())
        .isLessThanOrEqualTo(coordinator.get("loaded-at").asLong());
    assertThat(nonNullStates(user))
        .containsExactlyInAnyOrder(
            "load-coordinator/loaded-at", "load-coordinator/seen-load-requests");
  }

  @Test
  void theLiveUserHasItsDedupIdsAndRecentLivePurchases() throws Exception {
    JsonNode user = userJson(LIVE_USER);

    JsonNode seen = user.at("/operators/dedup-purchases/seen-purchase-ids");
    assertThat(fieldNames(seen)).containsExactlyElementsOf(LIVE_RECEIPTS);
    seen.forEach(at -> assertThat(at.asLong()).isBetween(createdAt - 300_000, createdAt));
    JsonNode recent = user.at("/operators/full-load-merger/recent-live-purchases");
    assertThat(fieldNames(recent)).containsExactlyElementsOf(LIVE_RECEIPTS);
    for (String id : LIVE_RECEIPTS) {
      assertThat(recent.get(id).get("purchaseId").asText()).isEqualTo(id);
      assertThat(recent.get(id).get("userId").asText()).isEqualTo(LIVE_USER);
    }
    assertThat(nonNullStates(user))
        .containsExactlyInAnyOrder(
            "dedup-purchases/seen-purchase-ids", "full-load-merger/recent-live-purchases");
  }

  @Test
  void theHeldUserHasItsReceiptHeldByTheKillswitchAsATable() throws Exception {
    Run run = run("--path", PATH, "--user", HELD_USER);

    assertThat(run.exit).as(run.err).isZero();
    assertThat(run.out)
        .startsWith("user " + HELD_USER + " in savepoint ")
        .containsPattern(
            "(?m)^user-gate +held-purchases +1  " + HELD_RECEIPT + "  \\S+Z  RECEIPT  1 items$")
        .containsPattern("(?m)^ +awaiting-flags +-$")
        .containsPattern("(?m)^dedup-purchases +seen-purchase-ids +-$")
        .containsPattern("(?m)^load-coordinator +loaded-at +-$");
  }

  @Test
  void aUserWithoutStateIsReportedAsSuchAndIsNoError() throws Exception {
    Run table = run("--path", PATH, "--user", "nobody");
    assertThat(table.exit).as(table.err).isZero();
    assertThat(table.out).contains("no state for user nobody");

    Run json = run("--path", PATH, "--user", "nobody", "--json");
    assertThat(json.exit).as(json.err).isZero();
    JsonNode user = JSON.readTree(json.out);
    assertThat(user.get("found").asBoolean()).isFalse();
    assertThat(nonNullStates(user)).isEmpty();
  }

  // ------------------------------------------------------------------------------------------

  private static JsonNode userJson(String user) throws Exception {
    Run run = run("--path", PATH, "--user", user, "--json");
    assertThat(run.exit).as(run.err).isZero();
    JsonNode json = JSON.readTree(run.out);
    assertThat(json.get("user").asText()).isEqualTo(user);
    assertThat(json.get("found").asBoolean()).isTrue();
    return json;
  }

  private static List<String> nonNullStates(JsonNode user) {
    List<String> states = new ArrayList<>();
    user.get("operators")
        .fields()
        .forEachRemaining(
            op ->
                op.getValue()
                    .fields()
                    .forEachRemaining(
                        s -> {
                          if (!s.getValue().isNull()) {
                            states.add(op.getKey() + "/" + s.getKey());
                          }
                        }));
    return states;
  }

  private static List<String> fieldNames(JsonNode node) {
    List<String> names = new ArrayList<>();
    node.fieldNames().forEachRemaining(names::add);
    return names;
  }

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = StateInspect.execute(new PrintWriter(out), new PrintWriter(err), args);
    return new Run(exit, out.toString(), err.toString());
  }
}
