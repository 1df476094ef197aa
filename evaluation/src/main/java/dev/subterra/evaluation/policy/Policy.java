package dev.subterra.evaluation.policy;

import java.util.List;
import java.util.Optional;

/**
 * What writes the agent's side of a conversation: given the conversation so far, the agent's next turn (node tag,
 * optional tool call, text).
 *
 * <p>The runner asks for many conversations at once so that a model can decode them as one batch; a policy without a
 * batch path answers them one by one. An empty answer means the policy ends the conversation there (it has nothing
 * more to say), which the runner records as ending early.
 */
public interface Policy {
  /** A stable name for reports, such as {@code student} or {@code reference}. */
  String name();

  /** The next turn of each conversation, in the order asked. */
  List<Optional<PolicyTurn>> next(List<PolicyRequest> requests);
}
