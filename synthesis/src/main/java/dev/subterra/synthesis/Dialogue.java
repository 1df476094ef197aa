package dev.subterra.synthesis;

import dev.subterra.workflow.paths.PathSplit;
import java.util.List;

/**
 * A conversation that a teacher wrote for a scenario: its turns, which teacher wrote it, and its split.
 * {@code dialogueId} is a hash of the scenario and the teacher, so a rerun writes the same id.
 */
public record Dialogue(
    String dialogueId,
    String scenarioId,
    String workflowId,
    String pathId,
    String teacher,
    PathSplit split,
    List<Turn> turns) {

  public Dialogue {
    turns = List.copyOf(turns);
  }

  /** The id of the dialogue a teacher writes for a scenario: the same on every rerun. */
  public static String idFor(String scenarioId, String teacher) {
    return StableIds.id("dialogue", scenarioId, teacher);
  }
}
