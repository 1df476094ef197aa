package dev.subterra.jobs.nightly;

import dev.subterra.evaluation.cost.CostReport;
import dev.subterra.evaluation.metrics.MetricName;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * One metric the promotion gate checks: which way is better, how much worse than the promoted model's value a candidate
 * may be, and an optional absolute bound (a floor for a metric where higher is better, a ceiling where lower is).
 *
 * <p>The tolerance is absolute, in the metric's own units: {@code node_accuracy} with tolerance 0.02 refuses a
 * candidate at 0.57 against a promoted 0.60.
 */
public record GateMetric(String name, Direction direction, double tolerance, Double bound) {

  /** Which way a metric is better. */
  public enum Direction {
    HIGHER, LOWER;

    /** {@code higher} or {@code lower}, as configurations write it. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The metrics of {@code eval/summary.json} a gate may check, with the direction in which each is better: the
   * summary's quality metrics and the cost keys the cost model writes beside them.
   */
  public static final Map<String, Direction> KNOWN = known();

  public GateMetric {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(direction, "direction");
    if (!KNOWN.containsKey(name)) {
      throw new IllegalArgumentException("Invalid gate metric: " + name + " (known: " + String.join(", ",
          KNOWN.keySet()) + ")");
    }
    if (direction != KNOWN.get(name)) {
      throw new IllegalArgumentException("Invalid direction for " + name + ": " + direction.wireName() + " ("
          + name + " is better " + KNOWN.get(name).wireName() + ")");
    }
    if (!(tolerance >= 0) || !Double.isFinite(tolerance)) {
      throw new IllegalArgumentException("Invalid tolerance for " + name + ": " + tolerance + " (a number >= 0)");
    }
    if (bound != null && !Double.isFinite(bound)) {
      throw new IllegalArgumentException("Invalid bound for " + name + ": " + bound);
    }
  }

  /** A metric with its natural direction. */
  public static GateMetric of(String name, double tolerance, Double bound) {
    Direction direction = KNOWN.get(name);
    if (direction == null) {
      throw new IllegalArgumentException("Invalid gate metric: " + name + " (known: " + String.join(", ",
          KNOWN.keySet()) + ")");
    }
    return new GateMetric(name, direction, tolerance, bound);
  }

  /** {@code floor} for a metric where higher is better, {@code ceiling} where lower is. */
  public String boundName() {
    return direction == Direction.HIGHER ? "floor" : "ceiling";
  }

  private static Map<String, Direction> known() {
    Map<String, Direction> m = new LinkedHashMap<>();
    for (String name : new String[] {MetricName.NODE_ACCURACY, MetricName.HUB_ACCURACY, MetricName.TERMINAL_ACCURACY,
        MetricName.PATH_FIDELITY, MetricName.HELDOUT_PATH_FIDELITY, MetricName.PASS_K, MetricName.SLOT_ACCURACY}) {
      m.put(name, Direction.HIGHER);
    }
    m.put(MetricName.INVALID_TAG_RATE, Direction.LOWER);
    m.put(CostReport.STUDENT, Direction.LOWER);
    m.put(CostReport.RATIO_IN_CONTEXT, Direction.HIGHER);
    return Collections.unmodifiableMap(m);
  }
}
