package dev.subterra.evaluation.metrics;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A metric's value over a set of conversations, with its 95% (or other) bootstrap confidence interval and the number
 * of units it counts (turns, tool calls, facts or conversations, as the metric says).
 *
 * <p>With nothing to count ({@code count} 0) the value and interval are {@code NaN}: a metric that does not apply, such
 * as hub accuracy on paths without a hub, is not 0.
 */
@JsonPropertyOrder({"value", "low", "high", "count"})
public record Estimate(double value, double low, double high, long count) {
  public Estimate {
    if (count < 0) {
      throw new IllegalArgumentException("Invalid count: " + count);
    }
    if (count > 0 && !(low <= high)) {
      throw new IllegalArgumentException("Invalid interval: [" + low + ", " + high + "]");
    }
  }

  /** The estimate of a metric with nothing to count. */
  public static Estimate empty() {
    return new Estimate(Double.NaN, Double.NaN, Double.NaN, 0);
  }

  /** Whether there was anything to count. */
  public boolean isDefined() {
    return count > 0 && !Double.isNaN(value);
  }

  /** The interval's width; {@code NaN} when undefined. */
  public double width() {
    return high - low;
  }
}
