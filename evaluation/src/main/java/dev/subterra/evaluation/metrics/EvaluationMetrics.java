package dev.subterra.evaluation.metrics;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The metrics of one policy's closed-loop conversations: each cohort's metric set, node accuracy per expected node
 * (for a heat map over the workflow), where conversations first went wrong, and the summary.
 *
 * @param policy the policy's name
 * @param k the k of pass^k
 * @param cohorts every cohort's metrics, {@link Cohort#ALL} first
 * @param nodeAccuracy node accuracy per node the path expected, over all conversations
 * @param firstWrongNodes how many conversations first went wrong at each node, most first
 * @param summary the headline numbers
 */
public record EvaluationMetrics(
    String policy,
    int k,
    Map<Cohort, MetricSet> cohorts,
    Map<String, Estimate> nodeAccuracy,
    Map<String, Long> firstWrongNodes,
    Summary summary) {

  public EvaluationMetrics {
    cohorts = Collections.unmodifiableMap(new LinkedHashMap<>(cohorts));
    nodeAccuracy = Collections.unmodifiableMap(new LinkedHashMap<>(nodeAccuracy));
    firstWrongNodes = Collections.unmodifiableMap(new LinkedHashMap<>(firstWrongNodes));
  }

  /** One cohort's metrics. */
  public MetricSet cohort(Cohort cohort) {
    return cohorts.get(cohort);
  }
}
