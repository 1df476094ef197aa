package dev.subterra.evaluation.star;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The STAR benchmark's result: every task's, the scores pooled over all their turns, and where it was written.
 *
 * @param output the output directory
 * @param tasks the per-task results, in the order run
 * @param pooled by subset, then predictor: the scores over every task's turns together
 * @param seconds the whole run's wall time
 */
public record StarBenchmarkResult(Path output, List<StarTaskResult> tasks,
    Map<String, StarTaskResult.SubsetScores> pooled, double seconds) {
  public StarBenchmarkResult {
    tasks = List.copyOf(tasks);
    pooled = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(pooled));
  }
}
