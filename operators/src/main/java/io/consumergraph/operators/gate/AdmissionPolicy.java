package io.consumergraph.operators.gate;

import io.consumergraph.flags.FlagNames;
import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.flags.IngestionDecision;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Whether a user's live purchase is admitted, from the flag snapshot and what the gate keeps of the
 * user: its experiment enrollment and the id-list versions it was streamed in. Nothing is decided
 * before the first flag document; then an enrollment admits, else the ingestion flag decides.
 */
final class AdmissionPolicy {

  /** What the gate does with a purchase, and the label it counts it under. */
  record Admission(Verdict verdict, String label) {

    /** Waits for the first flag document. */
    static final Admission AWAIT_DOCUMENT =
        new Admission(Verdict.AWAIT_DOCUMENT, IngestionDecision.NO_DOCUMENT.metricLabel());

    /** Admitted by an experiment enrollment, whatever the flag says. */
    static final Admission ENROLLED = new Admission(Verdict.ADMIT, "enrolled");

    static Admission of(IngestionDecision decision) {
      return new Admission(
          decision.enabled() ? Verdict.ADMIT : Verdict.REFUSE, decision.metricLabel());
    }

    boolean admitted() {
      return verdict == Verdict.ADMIT;
    }
  }

  enum Verdict {
    AWAIT_DOCUMENT,
    ADMIT,
    REFUSE
  }

  private AdmissionPolicy() {}

  /**
   * @param storedVersions list key to the versions of that list the user was streamed in
   */
  static Admission admit(
      FlagSnapshot flags,
      String userId,
      boolean enrolled,
      Map<String, ? extends Collection<String>> storedVersions) {
    if (!flags.hasDocument()) {
      return Admission.AWAIT_DOCUMENT;
    }
    if (enrolled) {
      return Admission.ENROLLED;
    }
    return Admission.of(
        flags.evaluateWithStoredVersions(FlagNames.INGESTION, userId, storedVersions));
  }

  /**
   * Whether the flag would admit the user were it also in the current version of each of {@code
   * streamingLists}; false when it is in all of them already, since then the flag has decided.
   */
  static boolean admitsOnceStreamed(
      FlagSnapshot flags,
      String userId,
      Map<String, ? extends Collection<String>> storedVersions,
      Collection<String> streamingLists) {
    Set<String> lists = new HashSet<>(flags.currentLists(storedVersions));
    boolean lacksOne = false;
    for (String key : streamingLists) {
      lacksOne |= lists.add(key);
    }
    return lacksOne && flags.evaluate(FlagNames.INGESTION, userId, lists).enabled();
  }
}
