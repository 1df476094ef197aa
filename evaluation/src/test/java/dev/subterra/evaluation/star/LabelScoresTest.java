package dev.subterra.evaluation.star;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LabelScoresTest {
  private static final double TOLERANCE = 1e-12;

  @Test
  void weightedF1IsPerClassF1WeightedBySupport() {
    // a: tp 2 of 3 true, 2 predicted -> F1 0.8; b: tp 1 of 2, 2 predicted -> 0.5; c: tp 1 of 1, 2 predicted -> 2/3.
    // Weighted by support 3, 2, 1: (2.4 + 1.0 + 2/3) / 6 = 0.677..., as sklearn's f1_score(average="weighted").
    LabelScores scores = LabelScores.of(List.of("a", "a", "a", "b", "b", "c"),
        List.of("a", "a", "b", "b", "c", "c"));

    assertThat(scores.turns()).isEqualTo(6);
    assertThat(scores.accuracy()).isCloseTo(4.0 / 6, within(TOLERANCE));
    assertThat(scores.weightedF1()).isCloseTo((0.8 * 3 + 0.5 * 2 + 2.0 / 3) / 6, within(TOLERANCE));
  }

  @Test
  void aClassOnlyPredictedWeighsNothingButCostsTheOthersRecall() {
    LabelScores scores = LabelScores.of(List.of("a", "a"), List.of("a", "z"));

    assertThat(scores.accuracy()).isCloseTo(0.5, within(TOLERANCE));
    // a: tp 1, 2 true, 1 predicted -> 2/3; z has no support.
    assertThat(scores.weightedF1()).isCloseTo(2.0 / 3, within(TOLERANCE));
  }

  @Test
  void perfectAndEmpty() {
    assertThat(LabelScores.of(List.of("a", "b"), List.of("a", "b"))).isEqualTo(new LabelScores(2, 1.0, 1.0));
    assertThat(LabelScores.of(List.of(), List.of())).isEqualTo(new LabelScores(0, 0, 0));
  }

  @Test
  void labelsOfDifferentLengthsAreRejected() {
    assertThatThrownBy(() -> LabelScores.of(List.of("a"), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot score labels: 1 true and 0 predicted");
  }
}
