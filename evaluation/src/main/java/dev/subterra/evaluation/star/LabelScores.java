package dev.subterra.evaluation.star;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Accuracy and weighted F1 of predicted labels against true ones, as STAR's next-action papers report them.
 *
 * <p>Weighted F1 is scikit-learn's {@code f1_score(average="weighted")}: the F1 of every class that occurs among the
 * true labels, weighted by how often it occurs there (a class only ever predicted adds false positives to no class's
 * weight, and lowers the precision of none but itself). A class never predicted has F1 0.
 *
 * @param turns how many turns were scored
 * @param accuracy the share predicted exactly; 0 when there are no turns
 * @param weightedF1 the support-weighted mean of per-class F1; 0 when there are no turns
 */
public record LabelScores(int turns, double accuracy, double weightedF1) {

  /** The scores of {@code predicted} against {@code gold}, position by position. */
  public static LabelScores of(List<String> gold, List<String> predicted) {
    if (gold.size() != predicted.size()) {
      throw new IllegalArgumentException("Cannot score labels: " + gold.size() + " true and " + predicted.size()
          + " predicted");
    }
    int n = gold.size();
    if (n == 0) {
      return new LabelScores(0, 0, 0);
    }
    Map<String, Integer> support = new LinkedHashMap<>();
    Map<String, Integer> predictedCount = new HashMap<>();
    Map<String, Integer> truePositives = new HashMap<>();
    int correct = 0;
    for (int i = 0; i < n; i++) {
      String g = gold.get(i);
      String p = predicted.get(i);
      support.merge(g, 1, Integer::sum);
      predictedCount.merge(p, 1, Integer::sum);
      if (g.equals(p)) {
        correct++;
        truePositives.merge(g, 1, Integer::sum);
      }
    }
    double weighted = 0;
    for (Map.Entry<String, Integer> e : support.entrySet()) {
      int tp = truePositives.getOrDefault(e.getKey(), 0);
      int predictedAs = predictedCount.getOrDefault(e.getKey(), 0);
      // F1 = 2 tp / (|true| + |predicted|): no division by zero, since the class has support.
      double f1 = 2.0 * tp / (e.getValue() + predictedAs);
      weighted += f1 * e.getValue();
    }
    return new LabelScores(n, (double) correct / n, weighted / n);
  }

  /** The scores as a JSON-ready map. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("turns", turns);
    out.put("accuracy", accuracy);
    out.put("weighted_f1", weightedF1);
    return out;
  }
}
