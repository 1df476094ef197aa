package dev.subterra.evaluation.metrics;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap confidence intervals for ratio metrics (Efron and Tibshirani 1993, ch. 13).
 *
 * <p>A metric is a ratio of sums over units: {@code sum(numerator) / sum(denominator)}, such as correct turns over
 * turns with conversations (or scenarios) as units. Resampling whole units, not turns, keeps the turns of one
 * conversation together, so the interval reflects that they are not independent. Every estimate draws from a fresh
 * generator seeded with {@code seed}, so an interval does not depend on which metrics were computed before it.
 *
 * @param resamples how many resamples to draw; 1,000 is the usual minimum for a 95% interval
 * @param level the interval's coverage, such as 0.95
 * @param seed the resampling seed
 */
public record Bootstrap(int resamples, double level, long seed) {
  /** The usual number of resamples. */
  public static final int DEFAULT_RESAMPLES = 1_000;
  /** The usual coverage. */
  public static final double DEFAULT_LEVEL = 0.95;

  public Bootstrap {
    if (resamples < 100) {
      throw new IllegalArgumentException("Invalid resamples: " + resamples + " (at least 100)");
    }
    if (!(level > 0 && level < 1)) {
      throw new IllegalArgumentException("Invalid level: " + level);
    }
  }

  /** 1,000 resamples, 95% intervals. */
  public static Bootstrap of(long seed) {
    return new Bootstrap(DEFAULT_RESAMPLES, DEFAULT_LEVEL, seed);
  }

  /**
   * The ratio {@code sum(numerators) / sum(denominators)} with its interval; {@code count} is the sum of the
   * denominators. Units with a zero denominator take part in resampling but add nothing.
   */
  public Estimate ratio(double[] numerators, double[] denominators) {
    if (numerators.length != denominators.length) {
      throw new IllegalArgumentException("Invalid denominators: " + denominators.length + " for "
          + numerators.length + " numerators");
    }
    int n = numerators.length;
    double num = 0;
    double den = 0;
    for (int i = 0; i < n; i++) {
      num += numerators[i];
      den += denominators[i];
    }
    if (den <= 0) {
      return Estimate.empty();
    }
    double value = num / den;
    SplittableRandom random = new SplittableRandom(seed);
    double[] draws = new double[resamples];
    int kept = 0;
    for (int b = 0; b < resamples; b++) {
      double sn = 0;
      double sd = 0;
      for (int i = 0; i < n; i++) {
        int pick = random.nextInt(n);
        sn += numerators[pick];
        sd += denominators[pick];
      }
      if (sd > 0) {
        draws[kept++] = sn / sd;
      }
    }
    double[] sorted = Arrays.copyOf(draws, kept);
    Arrays.sort(sorted);
    double tail = (1 - level) / 2;
    return new Estimate(value, quantile(sorted, tail), quantile(sorted, 1 - tail), Math.round(den));
  }

  /** The mean of per-unit values with its interval: a ratio whose denominators are all 1. */
  public Estimate mean(double[] values) {
    double[] ones = new double[values.length];
    Arrays.fill(ones, 1.0);
    return ratio(values, ones);
  }

  /** The {@code p}-quantile of sorted values, interpolating linearly between order statistics. */
  static double quantile(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    double at = p * (sorted.length - 1);
    int lo = (int) Math.floor(at);
    int hi = Math.min(sorted.length - 1, lo + 1);
    return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
  }
}
