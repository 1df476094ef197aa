package dev.subterra.evaluation.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics of one cohort: every {@link MetricName} with its estimate, and how many conversations and scenarios they
 * come from.
 */
public record MetricSet(long conversations, long scenarios, Map<String, Estimate> metrics) {
  public MetricSet {
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
  }

  /** A metric's estimate; empty when the metric was not computed. */
  public Estimate get(String metric) {
    return metrics.getOrDefault(metric, Estimate.empty());
  }
}
