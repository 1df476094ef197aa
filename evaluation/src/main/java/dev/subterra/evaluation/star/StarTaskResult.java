package dev.subterra.evaluation.star;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The benchmark's result for one STAR task.
 *
 * @param task the task
 * @param schemaSha256 the SHA-256 of its schema file
 * @param workflowHash the content hash of the imported workflow
 * @param paths the schema paths the scenarios were drawn on
 * @param syntheticDialogues the template-teacher dialogues the student trained on
 * @param trainingSeconds how long training took
 * @param majorityLabel the label the majority baseline predicts
 * @param outOfSchemaTurns scored turns (all single-task) whose label is no wizard action of the imported workflow
 * @param scores by subset ({@code happy}, {@code all}), then by predictor ({@code student}, {@code majority},
 *     {@code schema})
 */
public record StarTaskResult(String task, String schemaSha256, String workflowHash, long paths,
    int syntheticDialogues, double trainingSeconds, String majorityLabel, int outOfSchemaTurns,
    Map<String, SubsetScores> scores) {
  public StarTaskResult {
    scores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scores));
  }

  /** The scores of the predictors on one subset of dialogues. */
  public record SubsetScores(int dialogues, Map<String, LabelScores> predictors) {
    public SubsetScores {
      predictors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(predictors));
    }

    /** As a JSON-ready map. */
    public Map<String, Object> toMap() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("dialogues", dialogues);
      predictors.forEach((name, s) -> out.put(name, s.toMap()));
      return out;
    }
  }

  /** As a JSON-ready map. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("task", task);
    out.put("schema_sha256", schemaSha256);
    out.put("workflow_hash", workflowHash);
    out.put("paths", paths);
    out.put("synthetic_dialogues", syntheticDialogues);
    out.put("training_seconds", trainingSeconds);
    out.put("majority_label", majorityLabel);
    out.put("out_of_schema_turns", outOfSchemaTurns);
    Map<String, Object> s = new LinkedHashMap<>();
    scores.forEach((subset, v) -> s.put(subset, v.toMap()));
    out.put("scores", s);
    return out;
  }
}
