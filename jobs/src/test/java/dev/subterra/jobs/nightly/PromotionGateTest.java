package dev.subterra.jobs.nightly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PromotionGateTest {
  private static final double TOLERANCE = 0.05;

  private static final PromotionGate GATE = new PromotionGate(List.of(
      GateMetric.of("heldout_path_fidelity", TOLERANCE, 0.5),
      GateMetric.of("node_accuracy", TOLERANCE, null),
      GateMetric.of("invalid_tag_rate", 0.01, 0.2)));

  private static Map<String, Double> metrics(double heldout, double node, double invalid) {
    Map<String, Double> m = new HashMap<>();
    m.put("heldout_path_fidelity", heldout);
    m.put("node_accuracy", node);
    m.put("invalid_tag_rate", invalid);
    return m;
  }

  private static final Map<String, Double> PROMOTED = metrics(0.80, 0.90, 0.05);

  @Test
  void aCandidateAsGoodOrBetterOnEveryMetricIsPromoted() {
    PromotionGate.Verdict verdict = GATE.judge(metrics(0.85, 0.92, 0.01), PROMOTED);
    assertThat(verdict.promote()).isTrue();
    assertThat(verdict.checks()).allMatch(PromotionGate.Check::passed).hasSize(3);
    assertThat(verdict.reasons()).hasSize(3)
        .contains("node_accuracy: 0.92 against the promoted 0.9, within the tolerance 0.05");
  }

  @Test
  void aCandidateWorseWithinTheToleranceIsPromoted() {
    // Exactly the tolerance worse is still within it: 0.80 - 0.05 = 0.75, whatever the rounding.
    PromotionGate.Verdict verdict = GATE.judge(metrics(0.75, 0.86, 0.06), PROMOTED);
    assertThat(verdict.promote()).isTrue();
  }

  @Test
  void eachMetricWorseBeyondItsToleranceRefusesTheCandidateAlone() {
    Map<String, Map<String, Double>> worse = Map.of(
        "heldout_path_fidelity", metrics(0.74, 0.90, 0.05),
        "node_accuracy", metrics(0.80, 0.84, 0.05),
        "invalid_tag_rate", metrics(0.80, 0.90, 0.07));
    worse.forEach((metric, candidate) -> {
      PromotionGate.Verdict verdict = GATE.judge(candidate, PROMOTED);
      assertThat(verdict.promote()).as(metric).isFalse();
      assertThat(verdict.checks()).filteredOn(c -> !c.passed()).extracting(PromotionGate.Check::metric)
          .as(metric).containsExactly(metric);
      assertThat(verdict.reasons().get(0)).as(metric).startsWith(metric + ": ")
          .contains("is worse than the promoted", "more than the tolerance");
    });
    assertThat(GATE.judge(metrics(0.80, 0.84, 0.05), PROMOTED).reasons().get(0))
        .isEqualTo("node_accuracy: 0.84 is worse than the promoted 0.9 by 0.06, more than the tolerance 0.05");
  }

  @Test
  void aFloorOrCeilingUnmetRefusesEvenWhenNoWorseThanThePromotedModel() {
    Map<String, Double> lowPromoted = metrics(0.40, 0.90, 0.30);
    PromotionGate.Verdict belowFloor = GATE.judge(metrics(0.45, 0.90, 0.05), lowPromoted);
    assertThat(belowFloor.promote()).isFalse();
    assertThat(belowFloor.reasons().get(0)).isEqualTo("heldout_path_fidelity: 0.45 is below the floor 0.5");

    PromotionGate.Verdict aboveCeiling = GATE.judge(metrics(0.80, 0.90, 0.25), lowPromoted);
    assertThat(aboveCeiling.promote()).isFalse();
    assertThat(aboveCeiling.reasons().get(0)).isEqualTo("invalid_tag_rate: 0.25 is above the ceiling 0.2");
  }

  @Test
  void withNoPromotedModelOnlyTheBoundsApply() {
    PromotionGate.Verdict poorButAboveFloors = GATE.judge(metrics(0.5, 0.01, 0.2), null);
    assertThat(poorButAboveFloors.promote()).isTrue();
    assertThat(poorButAboveFloors.reasons()).allMatch(r -> r.endsWith("no promoted model to compare with"));

    PromotionGate.Verdict belowFloor = GATE.judge(metrics(0.49, 0.99, 0.0), null);
    assertThat(belowFloor.promote()).isFalse();
    assertThat(belowFloor.reasons().get(0)).isEqualTo("heldout_path_fidelity: 0.49 is below the floor 0.5");
  }

  @Test
  void aMetricTheCandidateLacksRefusesItWithAReason() {
    Map<String, Double> absent = metrics(0.9, 0.95, 0.0);
    absent.remove("node_accuracy");
    Map<String, Double> nothingCounted = metrics(0.9, 0.95, 0.0);
    nothingCounted.put("heldout_path_fidelity", null);
    Map<String, Double> notANumber = metrics(Double.NaN, 0.95, 0.0);
    for (Map<String, Double> candidate : List.of(absent, nothingCounted, notANumber)) {
      PromotionGate.Verdict verdict = GATE.judge(candidate, PROMOTED);
      assertThat(verdict.promote()).isFalse();
      assertThat(verdict.reasons().get(0)).contains("the candidate has no value for it");
    }
    // With nothing promoted too: the bounds alone cannot pass a metric that was not measured.
    assertThat(GATE.judge(absent, null).promote()).isFalse();
  }

  @Test
  void aMetricThePromotedModelLacksIsCheckedAgainstItsBoundOnly() {
    Map<String, Double> oldPromoted = metrics(0.80, 0.90, 0.05);
    oldPromoted.remove("node_accuracy");
    PromotionGate.Verdict verdict = GATE.judge(metrics(0.80, 0.10, 0.05), oldPromoted);
    assertThat(verdict.promote()).isTrue();
    assertThat(verdict.reasons()).contains("node_accuracy: 0.1; the promoted model has no value to compare with");
  }

  @Test
  void everyFailingMetricIsReportedBeforeThePassingOnes() {
    PromotionGate.Verdict verdict = GATE.judge(metrics(0.60, 0.50, 0.05), PROMOTED);
    assertThat(verdict.promote()).isFalse();
    assertThat(verdict.reasons()).hasSize(3);
    assertThat(verdict.reasons().get(0)).startsWith("heldout_path_fidelity:");
    assertThat(verdict.reasons().get(1)).startsWith("node_accuracy:");
    assertThat(verdict.reasons().get(2)).startsWith("invalid_tag_rate:").contains("within the tolerance");
  }

  @Test
  void aGateMetricMustBeKnownAndGoTheWayItIsBetter() {
    assertThatThrownBy(() -> GateMetric.of("accuracy", 0.1, null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid gate metric: accuracy (known: node_accuracy");
    assertThatThrownBy(() -> new GateMetric("invalid_tag_rate", GateMetric.Direction.HIGHER, 0.1, null))
        .hasMessage("Invalid direction for invalid_tag_rate: higher (invalid_tag_rate is better lower)");
    assertThatThrownBy(() -> GateMetric.of("node_accuracy", -0.1, null))
        .hasMessage("Invalid tolerance for node_accuracy: -0.1 (a number >= 0)");
    assertThatThrownBy(() -> new PromotionGate(List.of())).hasMessage("Invalid gate: no metrics to check");
  }
}
