package io.consumergraph.operators.gate;

import static io.consumergraph.operators.gate.Flags.BETA_LIST;
import static org.assertj.core.api.Assertions.assertThat;

import io.consumergraph.flags.FlagSnapshot;
import io.consumergraph.operators.gate.AdmissionPolicy.Admission;
import io.consumergraph.operators.gate.AdmissionPolicy.Verdict;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AdmissionPolicyTest {

  @Test
  void nothingIsDecidedBeforeTheFirstDocumentNotEvenForAnEnrolledUser() {
    FlagSnapshot none = FlagSnapshot.noDocumentYet();

    assertThat(AdmissionPolicy.admit(none, "u1", false, Map.of()))
        .isEqualTo(new Admission(Verdict.AWAIT_DOCUMENT, "no_document"));
    assertThat(AdmissionPolicy.admit(none, "u1", true, Map.of()).verdict())
        .isEqualTo(Verdict.AWAIT_DOCUMENT);
  }

  @Test
  void anEnrollmentAdmitsAUserTheFlagRefuses() throws Exception {
    assertThat(AdmissionPolicy.admit(Flags.beta("v1"), "u5", true, Map.of()))
        .isEqualTo(new Admission(Verdict.ADMIT, "enrolled"));
  }

  @Test
  void otherwiseTheFlagDecidesAndItsRuleIsTheLabel() throws Exception {
    FlagSnapshot flags = Flags.beta("v1");

    assertThat(AdmissionPolicy.admit(flags, "u1", false, Map.of()))
        .isEqualTo(new Admission(Verdict.ADMIT, "segment:Team Users"));
    assertThat(AdmissionPolicy.admit(flags, "u5", false, Map.of()))
        .isEqualTo(new Admission(Verdict.REFUSE, "none"));
    FlagSnapshot off =
        Flags.snapshot(Flags.BETA.replace("enabled: true", "enabled: false"), Map.of());
    assertThat(AdmissionPolicy.admit(off, "u1", false, Map.of()))
        .isEqualTo(new Admission(Verdict.REFUSE, "flag_off"));
  }

  @Test
  void aUserIsInAnIdListThroughTheCurrentVersionOnly() throws Exception {
    Map<String, List<String>> stored = Map.of(BETA_LIST, List.of("v1"));

    assertThat(AdmissionPolicy.admit(Flags.beta("v1"), "u7", false, stored))
        .isEqualTo(new Admission(Verdict.ADMIT, "segment:Beta"));
    assertThat(AdmissionPolicy.admit(Flags.beta("v2"), "u7", false, stored).verdict())
        .isEqualTo(Verdict.REFUSE);
  }

  @Test
  void aUserLackingAStreamingListIsAdmittedOnceItIsStreamedIfTheListAdmitsIt() throws Exception {
    FlagSnapshot flags = Flags.beta("v2");

    assertThat(AdmissionPolicy.admitsOnceStreamed(flags, "u7", Map.of(), List.of(BETA_LIST)))
        .isTrue();
    assertThat(AdmissionPolicy.admitsOnceStreamed(flags, "u7", Map.of(), List.of()))
        .as("no list streaming: the flag has decided")
        .isFalse();
    assertThat(
            AdmissionPolicy.admitsOnceStreamed(
                flags, "u7", Map.of(BETA_LIST, List.of("v2")), List.of(BETA_LIST)))
        .as("already in the current version: nothing more to wait for")
        .isFalse();
    FlagSnapshot off =
        Flags.snapshot(
            Flags.BETA.replace("enabled: true", "enabled: false"), Map.of(BETA_LIST, "v2"));
    assertThat(AdmissionPolicy.admitsOnceStreamed(off, "u7", Map.of(), List.of(BETA_LIST)))
        .as("the flag is off: no membership can admit")
        .isFalse();
  }
}
