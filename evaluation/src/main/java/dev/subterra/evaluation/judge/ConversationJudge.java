package dev.subterra.evaluation.judge;

import dev.subterra.evaluation.loop.ConversationResult;
import dev.subterra.synthesis.Scenario;
import dev.subterra.workflow.Workflow;
import java.util.Optional;

/**
 * Scores a closed-loop conversation on the paper's five criteria ({@link JudgeScores}). Optional: evaluation runs
 * without one by default, and a judge that cannot score a conversation (its endpoint failed, its answer did not parse)
 * returns empty rather than failing the evaluation, so that one bad call is a missing score, not a lost run.
 */
public interface ConversationJudge {
  /** A stable name for reports: the judge model, say. */
  String name();

  /** The scores of one conversation of a scenario, or empty when it could not be scored. */
  Optional<JudgeScores> score(Workflow workflow, Scenario scenario, ConversationResult conversation);
}
