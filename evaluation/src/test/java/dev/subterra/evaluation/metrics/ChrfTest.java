package dev.subterra.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class ChrfTest {
  private static final double TOLERANCE = 1e-12;

  @Test
  void identicalTextsScoreOneAndDisjointTextsZero() {
    assertThat(Chrf.score("I can refund 42. Shall I?", "I can refund 42. Shall I?")).isEqualTo(1.0);
    assertThat(Chrf.score("abc", "xyz")).isZero();
    assertThat(Chrf.score("", "")).isEqualTo(1.0);
    assertThat(Chrf.score("", "text")).isZero();
  }

  @Test
  void whitespaceDoesNotCountAndOverlapScoresInBetween() {
    assertThat(Chrf.score("I can  refund", "I can refund")).isEqualTo(1.0);
    double partial = Chrf.score("I can refund 42.", "I can refund 57. Shall I?");
    assertThat(partial).isStrictlyBetween(0.0, 1.0);
  }

  @Test
  void matchesAHandComputedScore() {
    // "ab" against "abc": order 1: 2 matches, P = 2/2, R = 2/3; order 2: 1 match, P = 1/1, R = 1/2; orders 3 to 6
    // are left out (shorter than n). Mean P = 1, mean R = 7/12; F2 = 5 * P * R / (4 * P + R).
    double p = 1.0;
    double r = 7.0 / 12.0;
    assertThat(Chrf.score("ab", "abc")).isCloseTo(5 * p * r / (4 * p + r), within(TOLERANCE));
  }
}
