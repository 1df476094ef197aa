package dev.subterra.evaluation.metrics;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.subterra.workflow.paths.PathSplit;
import java.util.Locale;
import java.util.Set;

/**
 * A group of conversations that metrics are reported for, by the split of the scenario's path.
 *
 * <p>Evaluation scenarios are drawn with a seed of their own, so no evaluation conversation was a training dialogue;
 * the cohorts tell apart how far from training they are: a new scenario on a path the student trained on, on a path it
 * never saw (validation and test paths), or on a path reserved for the held-out measure.
 */
public enum Cohort {
  /** Every conversation. */
  ALL(Set.of(PathSplit.values())),
  /** New scenarios on training paths: the test scenarios of the summary. */
  TRAINING_PATHS(Set.of(PathSplit.TRAIN)),
  /** Scenarios on validation and test paths, which no training dialogue followed. */
  UNSEEN_PATHS(Set.of(PathSplit.VALIDATION, PathSplit.TEST)),
  /** Scenarios on held-out paths, reported on their own. */
  HELDOUT_PATHS(Set.of(PathSplit.HELDOUT));

  private final Set<PathSplit> splits;

  Cohort(Set<PathSplit> splits) {
    this.splits = splits;
  }

  /** Whether conversations on paths of this split belong to the cohort. */
  public boolean includes(PathSplit split) {
    return splits.contains(split);
  }

  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
