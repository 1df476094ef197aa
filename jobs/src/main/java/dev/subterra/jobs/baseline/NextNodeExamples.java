package dev.subterra.jobs.baseline;

import dev.subterra.evaluation.policy.NextNodeScorer;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.Turn;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a dialogue into next-node examples: before every agent or tool turn, the last few turns as text (with the
 * agent's previous node as a token, since the student knows what it did last) and the node the agent executes next.
 */
public final class NextNodeExamples {
  /** Turns of context; the procedure's next step rarely depends on more. */
  public static final int CONTEXT_TURNS = NextNodeScorer.CONTEXT_TURNS;

  private NextNodeExamples() {}

  /** One example: the context the policy sees and the node it should pick. */
  public record Example(String dialogueId, String context, String node) {}

  public static List<Example> of(Dialogue dialogue) {
    List<Example> examples = new ArrayList<>();
    List<Turn> turns = dialogue.turns();
    String previous = "start";
    for (int i = 0; i < turns.size(); i++) {
      Turn turn = turns.get(i);
      if (turn.role() == Role.USER) {
        continue;
      }
      examples.add(new Example(dialogue.dialogueId(), context(turns, i, previous), turn.nodeId()));
      previous = turn.nodeId();
    }
    return examples;
  }

  /** The text a policy sees before turn {@code i}: the closed-loop baseline builds it the same way. */
  public static String context(List<Turn> turns, int i, String previousNode) {
    return NextNodeScorer.context(turns, i, previousNode);
  }
}
