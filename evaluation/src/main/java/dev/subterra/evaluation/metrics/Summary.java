package dev.subterra.evaluation.metrics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The headline quality numbers of an evaluation, under stable keys ({@link #KEYS}) for {@code summary.json}.
 *
 * <p>Every metric but {@code heldout_path_fidelity} is over the test scenarios on training paths
 * ({@link Cohort#TRAINING_PATHS}); {@code heldout_path_fidelity} is path fidelity over held-out paths
 * ({@link Cohort#HELDOUT_PATHS}). {@code pass_k} is pass^{@code k}. Each value comes with its bootstrap interval and
 * count; the cost keys are written beside these by the cost model's report.
 */
public record Summary(
    Estimate nodeAccuracy,
    Estimate hubAccuracy,
    Estimate terminalAccuracy,
    Estimate pathFidelity,
    Estimate heldoutPathFidelity,
    Estimate passK,
    int k,
    Estimate slotAccuracy,
    Estimate invalidTagRate) {

  /** The keys of {@link #toMap()}, in order. */
  public static final List<String> KEYS = List.of(MetricName.NODE_ACCURACY, MetricName.HUB_ACCURACY,
      MetricName.TERMINAL_ACCURACY, MetricName.PATH_FIDELITY, MetricName.HELDOUT_PATH_FIDELITY, MetricName.PASS_K,
      MetricName.SLOT_ACCURACY, MetricName.INVALID_TAG_RATE);

  /** The summary's metrics by key, in {@link #KEYS} order. */
  public Map<String, Estimate> estimates() {
    Map<String, Estimate> out = new LinkedHashMap<>();
    out.put(MetricName.NODE_ACCURACY, nodeAccuracy);
    out.put(MetricName.HUB_ACCURACY, hubAccuracy);
    out.put(MetricName.TERMINAL_ACCURACY, terminalAccuracy);
    out.put(MetricName.PATH_FIDELITY, pathFidelity);
    out.put(MetricName.HELDOUT_PATH_FIDELITY, heldoutPathFidelity);
    out.put(MetricName.PASS_K, passK);
    out.put(MetricName.SLOT_ACCURACY, slotAccuracy);
    out.put(MetricName.INVALID_TAG_RATE, invalidTagRate);
    return out;
  }

  /**
   * The summary as JSON-ready data: each key maps to {@code {value, low, high, count}} ({@code null} for values of a
   * metric with nothing to count, since JSON has no NaN), and {@code k} to pass^k's k.
   */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    estimates().forEach((key, e) -> out.put(key, asMap(e)));
    out.put("k", k);
    return out;
  }

  /** An estimate as {@code {value, low, high, count}}, with {@code null} for NaN. */
  public static Map<String, Object> asMap(Estimate e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("value", finite(e.value()));
    m.put("low", finite(e.low()));
    m.put("high", finite(e.high()));
    m.put("count", e.count());
    return m;
  }

  private static Double finite(double x) {
    return Double.isFinite(x) ? x : null;
  }
}
