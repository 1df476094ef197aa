package dev.subterra.evaluation.star;

import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Predicts one label everywhere: the most frequent label of a task's scored turns (the alphabetically first on a tie).
 * The usual floor of a classification benchmark; it is told the label distribution it is scored on.
 */
public final class MajorityBaseline implements NextActionPredictor {
  private final String label;

  public MajorityBaseline(String label) {
    this.label = label;
  }

  /** The baseline for these labels; they must not be empty. */
  public static MajorityBaseline of(Collection<String> labels) {
    if (labels.isEmpty()) {
      throw new IllegalArgumentException("Cannot find a majority label: no labels");
    }
    Map<String, Integer> counts = new TreeMap<>();
    labels.forEach(l -> counts.merge(l, 1, Integer::sum));
    int most = Collections.max(counts.values());
    return new MajorityBaseline(counts.entrySet().stream().filter(e -> e.getValue() == most).findFirst()
        .orElseThrow().getKey());
  }

  /** The label this baseline always predicts. */
  public String label() {
    return label;
  }

  @Override
  public String name() {
    return "majority";
  }

  @Override
  public List<String> predict(List<WizardTurn> turns) {
    return Collections.nCopies(turns.size(), label);
  }
}
