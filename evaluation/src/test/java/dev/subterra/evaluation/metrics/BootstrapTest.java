package dev.subterra.evaluation.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BootstrapTest {
  private static final long DATA_SEED = 21;
  private static final long BOOTSTRAP_SEED = 4;
  /** The chance of success in the simulated data. */
  private static final double P = 0.7;

  private static double[] bernoulli(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = random.nextDouble() < P ? 1 : 0;
    }
    return out;
  }

  @Test
  void theIntervalContainsThePointEstimateAndShrinksWithMoreSamples() {
    Bootstrap bootstrap = Bootstrap.of(BOOTSTRAP_SEED);
    Estimate small = bootstrap.mean(bernoulli(30, DATA_SEED));
    Estimate large = bootstrap.mean(bernoulli(3_000, DATA_SEED));

    assertThat(small.value()).isBetween(small.low(), small.high());
    assertThat(large.value()).isBetween(large.low(), large.high());
    assertThat(large.width()).isLessThan(small.width() / 5);
    assertThat(small.count()).isEqualTo(30);
    assertThat(large.count()).isEqualTo(3_000);
  }

  @Test
  void aRatioResamplesUnitsAndCountsTheDenominator() {
    double[] correct = {3, 4, 0, 5};
    double[] turns = {4, 4, 2, 5};
    Estimate e = Bootstrap.of(BOOTSTRAP_SEED).ratio(correct, turns);

    assertThat(e.value()).isEqualTo(12.0 / 15.0);
    assertThat(e.count()).isEqualTo(15);
    assertThat(e.value()).isBetween(e.low(), e.high());
  }

  @Test
  void theSameSeedGivesTheSameIntervalAndNothingToCountGivesNoValue() {
    double[] data = bernoulli(50, DATA_SEED);
    assertThat(Bootstrap.of(BOOTSTRAP_SEED).mean(data)).isEqualTo(Bootstrap.of(BOOTSTRAP_SEED).mean(data));
    Estimate none = Bootstrap.of(BOOTSTRAP_SEED).ratio(new double[] {0, 0}, new double[] {0, 0});
    assertThat(none.isDefined()).isFalse();
    assertThat(none.count()).isZero();
  }

  @Test
  void rejectsTooFewResamples() {
    assertThatThrownBy(() -> new Bootstrap(10, 0.95, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid resamples: 10 (at least 100)");
  }
}
