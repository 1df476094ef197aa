package dev.subterra.evaluation.star;

import dev.subterra.training.model.StudentConfig;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How the STAR benchmark compiles each task's student from its schema alone.
 *
 * @param preset the student preset: {@code tiny}, {@code small} or {@code base}
 * @param perPath template-teacher scenarios per schema path
 * @param minDialogues the fewest scenarios per task: STAR schemas have few paths (weather and doctor_followup one),
 *     so a task with fewer than {@code minDialogues / perPath} paths gets more scenarios per path, for variety of
 *     slot values and user wordings
 * @param epochs training epochs (a fixed budget: the synthetic validation split is too small to stop on)
 * @param vocabularySize the tokenizer's vocabulary
 * @param batchSize the training batch size; also the turns scored per pass
 * @param seed one seed for paths, scenarios, teacher and training
 * @param trainStudent whether to compile and score the student; without it only the baselines run (in seconds)
 */
public record StarOptions(String preset, int perPath, int minDialogues, int epochs, int vocabularySize, int batchSize,
    long seed, boolean trainStudent) {
  public StarOptions {
    StudentConfig.preset(preset, Math.max(2, vocabularySize));
    if (perPath < 1) {
      throw new IllegalArgumentException("Invalid perPath: " + perPath + " (at least 1)");
    }
    if (minDialogues < 0) {
      throw new IllegalArgumentException("Invalid minDialogues: " + minDialogues + " (at least 0)");
    }
    if (epochs < 1) {
      throw new IllegalArgumentException("Invalid epochs: " + epochs + " (at least 1)");
    }
    if (vocabularySize < 300) {
      throw new IllegalArgumentException("Invalid vocabularySize: " + vocabularySize + " (at least 300)");
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("Invalid batchSize: " + batchSize + " (at least 1)");
    }
  }

  /** The defaults of {@code subterra star}: the small preset, 8 scenarios per path and 240 per task, 6 epochs. */
  public static StarOptions defaults(long seed) {
    return new StarOptions("small", 8, 240, 6, 1000, 32, seed, true);
  }

  /** The scenarios per path for a task of {@code paths} paths. */
  public int scenariosPerPath(long paths) {
    return (int) Math.max(perPath, (minDialogues + Math.max(1, paths) - 1) / Math.max(1, paths));
  }

  /** The options as a JSON-ready map, for provenance. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("preset", preset);
    out.put("per_path", perPath);
    out.put("min_dialogues", minDialogues);
    out.put("epochs", epochs);
    out.put("vocabulary_size", vocabularySize);
    out.put("batch_size", batchSize);
    out.put("seed", seed);
    out.put("train_student", trainStudent);
    return out;
  }
}
