package dev.subterra.evaluation.metrics;

import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.evaluation.loop.StepResult;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.workflow.Workflow;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Scores closed-loop conversations: per conversation ({@link ConversationScores}), then per cohort with bootstrap
 * intervals, per node, and as the {@link Summary}.
 *
 * <p>Aggregates are micro-averages: correct turns over turns, not a mean of per-conversation rates, so a long
 * conversation weighs as many turns as it has. Intervals resample scenarios (each with all its runs), since the turns
 * of a conversation, and the runs of a scenario, are not independent.
 *
 * <p>pass^k follows tau-bench (Yao et al. 2024): for a scenario run {@code n} times of which {@code c} followed the
 * path, the unbiased estimate of the chance that {@code k} runs drawn without replacement all succeed is
 * {@code C(c, k) / C(n, k)}; with {@code n = k} that is 1 when all runs succeed and 0 otherwise. pass^k is the mean
 * over scenarios with at least {@code k} runs, so pass^k never exceeds pass^1.
 */
public final class Metrics {
  private final Workflow workflow;
  private final Bootstrap bootstrap;

  public Metrics(Workflow workflow, Bootstrap bootstrap) {
    this.workflow = workflow;
    this.bootstrap = bootstrap;
  }

  /**
   * The metrics of one policy's conversations.
   *
   * @param references the teacher's dialogues by scenario id, for chrF; scenarios without one have no chrF
   * @param k the k of pass^k, at least 1
   */
  public EvaluationMetrics evaluate(List<ConversationResult> conversations, Map<String, Dialogue> references, int k) {
    if (k < 1) {
      throw new IllegalArgumentException("Invalid k: " + k);
    }
    Map<String, List<ConversationResult>> byScenario = new LinkedHashMap<>();
    for (ConversationResult c : conversations) {
      byScenario.computeIfAbsent(c.scenarioId(), id -> new ArrayList<>()).add(c);
    }
    Map<String, List<ConversationScores>> scores = new LinkedHashMap<>();
    byScenario.forEach((id, runs) -> scores.put(id, runs.stream()
        .map(c -> ConversationScores.of(workflow, c, Optional.ofNullable(references.get(id)))).toList()));

    Map<Cohort, MetricSet> cohorts = new EnumMap<>(Cohort.class);
    for (Cohort cohort : Cohort.values()) {
      List<String> ids = byScenario.keySet().stream()
          .filter(id -> cohort.includes(byScenario.get(id).get(0).split())).toList();
      cohorts.put(cohort, metricSet(ids, byScenario, scores, k));
    }
    String policy = conversations.isEmpty() ? "" : conversations.get(0).policy();
    MetricSet training = cohorts.get(Cohort.TRAINING_PATHS);
    Summary summary = new Summary(
        training.get(MetricName.NODE_ACCURACY),
        training.get(MetricName.HUB_ACCURACY),
        training.get(MetricName.TERMINAL_ACCURACY),
        training.get(MetricName.PATH_FIDELITY),
        cohorts.get(Cohort.HELDOUT_PATHS).get(MetricName.PATH_FIDELITY),
        training.get(MetricName.PASS_K),
        k,
        training.get(MetricName.SLOT_ACCURACY),
        training.get(MetricName.INVALID_TAG_RATE));
    return new EvaluationMetrics(policy, k, cohorts, nodeAccuracy(byScenario), firstWrongNodes(conversations),
        summary);
  }

  private MetricSet metricSet(List<String> ids, Map<String, List<ConversationResult>> byScenario,
      Map<String, List<ConversationScores>> scores, int k) {
    Map<String, Estimate> metrics = new LinkedHashMap<>();
    List<String> names = List.of(MetricName.NODE_ACCURACY, MetricName.HUB_ACCURACY, MetricName.TERMINAL_ACCURACY,
        MetricName.PATH_FIDELITY, MetricName.SLOT_ACCURACY, MetricName.TOOL_CALL_ACCURACY, MetricName.FACT_ACCURACY,
        MetricName.INVALID_TAG_RATE, MetricName.GROUNDED_CALL_RATE, MetricName.COMPLETION_RATE,
        MetricName.TURNS_TO_COMPLETION, MetricName.CHRF);
    for (String name : names) {
      double[] num = new double[ids.size()];
      double[] den = new double[ids.size()];
      for (int i = 0; i < ids.size(); i++) {
        for (ConversationScores s : scores.get(ids.get(i))) {
          num[i] += s.numerator(name);
          den[i] += s.denominator(name);
        }
      }
      metrics.put(name, bootstrap.ratio(num, den));
    }
    List<Double> pass1 = new ArrayList<>();
    List<Double> passK = new ArrayList<>();
    for (String id : ids) {
      List<ConversationResult> runs = byScenario.get(id);
      int n = runs.size();
      int c = (int) runs.stream().filter(ConversationResult::pathFidelity).count();
      pass1.add((double) c / n);
      if (n >= k) {
        passK.add(passHatK(n, c, k));
      }
    }
    metrics.put(MetricName.PASS_1, bootstrap.mean(pass1.stream().mapToDouble(Double::doubleValue).toArray()));
    metrics.put(MetricName.PASS_K, bootstrap.mean(passK.stream().mapToDouble(Double::doubleValue).toArray()));
    long conversations = ids.stream().mapToLong(id -> byScenario.get(id).size()).sum();
    return new MetricSet(conversations, ids.size(), metrics);
  }

  /** {@code C(c, k) / C(n, k)}: the chance that {@code k} of {@code n} runs, {@code c} of them good, are all good. */
  public static double passHatK(int n, int c, int k) {
    if (k < 1 || n < k || c < 0 || c > n) {
      throw new IllegalArgumentException("Invalid pass^k arguments: n=" + n + ", c=" + c + ", k=" + k);
    }
    double p = 1;
    for (int i = 0; i < k; i++) {
      p *= (double) (c - i) / (n - i);
      if (p <= 0) {
        return 0;
      }
    }
    return p;
  }

  private Map<String, Estimate> nodeAccuracy(Map<String, List<ConversationResult>> byScenario) {
    TreeSet<String> nodes = new TreeSet<>();
    byScenario.values().forEach(runs -> runs.forEach(c -> c.steps().forEach(s -> nodes.add(s.expectedNode()))));
    List<String> ids = new ArrayList<>(byScenario.keySet());
    Map<String, Estimate> out = new LinkedHashMap<>();
    // Workflow order, so a heat map reads like the procedure.
    List<String> ordered = new ArrayList<>();
    workflow.nodes().forEach(n -> {
      if (nodes.contains(n.id())) {
        ordered.add(n.id());
      }
    });
    for (String node : ordered) {
      double[] num = new double[ids.size()];
      double[] den = new double[ids.size()];
      for (int i = 0; i < ids.size(); i++) {
        for (ConversationResult c : byScenario.get(ids.get(i))) {
          for (StepResult s : c.steps()) {
            if (node.equals(s.expectedNode())) {
              den[i]++;
              num[i] += s.nodeCorrect() ? 1 : 0;
            }
          }
        }
      }
      out.put(node, bootstrap.ratio(num, den));
    }
    return out;
  }

  private static Map<String, Long> firstWrongNodes(List<ConversationResult> conversations) {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (ConversationResult c : conversations) {
      if (c.firstWrongNode() != null) {
        counts.merge(c.firstWrongNode(), 1L, Long::sum);
      }
    }
    Map<String, Long> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
            .thenComparing(Map.Entry.comparingByKey()))
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }
}
