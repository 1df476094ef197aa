package dev.subterra.jobs.nightly;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Decides whether a candidate model replaces the promoted one: it is promoted only if no configured metric is worse
 * than the promoted model's by more than that metric's tolerance and every absolute bound is met. With no promoted
 * model yet, only the bounds apply. A metric the candidate has no value for (absent, or nothing to count) refuses it:
 * the gate cannot vouch for what was not measured. A metric the promoted model has no value for is checked against
 * its bound only.
 *
 * <p>Pure logic over the numbers of two {@code summary.json} files; the nightly job feeds it.
 */
public final class PromotionGate {
  /** Room for rounding: 0.6 - 0.1 is not taken for worse than 0.5 by more than nothing. */
  private static final double EPSILON = 1e-9;

  private final List<GateMetric> metrics;

  public PromotionGate(List<GateMetric> metrics) {
    Objects.requireNonNull(metrics, "metrics");
    if (metrics.isEmpty()) {
      throw new IllegalArgumentException("Invalid gate: no metrics to check");
    }
    this.metrics = List.copyOf(metrics);
  }

  public List<GateMetric> metrics() {
    return metrics;
  }

  /** The outcome of one metric's check: the values compared and, when it fails, why. */
  public record Check(String metric, Double candidate, Double baseline, boolean passed, String reason) {}

  /** Whether to promote, with every metric's check; {@link #reasons()} says why in one line per metric. */
  public record Verdict(boolean promote, List<Check> checks) {
    public Verdict {
      checks = List.copyOf(checks);
    }

    /** One line per metric: what failed first, then what passed. */
    public List<String> reasons() {
      List<String> out = new ArrayList<>();
      checks.stream().filter(c -> !c.passed()).forEach(c -> out.add(c.reason()));
      checks.stream().filter(Check::passed).forEach(c -> out.add(c.reason()));
      return out;
    }
  }

  /**
   * Judges a candidate's metrics against the promoted model's.
   *
   * @param candidate the candidate's metric values by name; a null or non-finite value counts as missing
   * @param baseline the promoted model's, or null when none is promoted yet
   */
  public Verdict judge(Map<String, Double> candidate, Map<String, Double> baseline) {
    Objects.requireNonNull(candidate, "candidate");
    List<Check> checks = new ArrayList<>();
    for (GateMetric metric : metrics) {
      checks.add(check(metric, value(candidate, metric.name()), baseline == null ? null
          : value(baseline, metric.name()), baseline != null));
    }
    return new Verdict(checks.stream().allMatch(Check::passed), checks);
  }

  private static Check check(GateMetric metric, Double candidate, Double baseline, boolean promotedExists) {
    String name = metric.name();
    if (candidate == null) {
      return new Check(name, null, baseline, false, name + ": the candidate has no value for it (not measured, or"
          + " nothing to count), so it cannot be vouched for");
    }
    boolean higher = metric.direction() == GateMetric.Direction.HIGHER;
    if (metric.bound() != null) {
      boolean met = higher ? candidate >= metric.bound() - EPSILON : candidate <= metric.bound() + EPSILON;
      if (!met) {
        return new Check(name, candidate, baseline, false, String.format(Locale.ROOT, "%s: %s is %s the %s %s", name,
            number(candidate), higher ? "below" : "above", metric.boundName(), number(metric.bound())));
      }
    }
    String bound = metric.bound() == null ? "" : String.format(Locale.ROOT, ", %s %s met", metric.boundName(),
        number(metric.bound()));
    if (baseline == null) {
      return new Check(name, candidate, null, true, String.format(Locale.ROOT, "%s: %s%s; %s", name,
          number(candidate), bound, promotedExists ? "the promoted model has no value to compare with"
              : "no promoted model to compare with"));
    }
    double worseBy = higher ? baseline - candidate : candidate - baseline;
    if (worseBy > metric.tolerance() + EPSILON) {
      return new Check(name, candidate, baseline, false, String.format(Locale.ROOT,
          "%s: %s is worse than the promoted %s by %s, more than the tolerance %s", name, number(candidate),
          number(baseline), number(worseBy), number(metric.tolerance())));
    }
    return new Check(name, candidate, baseline, true, String.format(Locale.ROOT,
        "%s: %s against the promoted %s, within the tolerance %s%s", name, number(candidate), number(baseline),
        number(metric.tolerance()), bound));
  }

  private static Double value(Map<String, Double> values, String name) {
    Double v = values.get(name);
    return v == null || !Double.isFinite(v) ? null : v;
  }

  private static String number(double x) {
    return String.format(Locale.ROOT, "%.4f", x).replaceAll("0+$", "").replaceAll("\\.$", "");
  }
}
