package dev.subterra.synthesis;

import dev.subterra.workflow.paths.PathSplit;

/**
 * A scenario the planner could not draw, kept with its reason for the rejected dataset: typically a path whose guards
 * no value in a slot's pool satisfies (a loop that takes both branches of {@code travellers > 6}).
 */
public record ScenarioRejection(
    String scenarioId, String workflowId, String pathId, long seed, PathSplit split, String reason) {

  public ScenarioRejection {
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("Invalid reason: " + reason);
    }
  }
}
