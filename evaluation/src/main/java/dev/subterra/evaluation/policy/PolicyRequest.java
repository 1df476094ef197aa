package dev.subterra.evaluation.policy;

import dev.subterra.synthesis.Scenario;
import dev.subterra.synthesis.Turn;
import java.util.List;

/**
 * One conversation waiting for the agent's next turn.
 *
 * <p>{@code history} is the conversation as the agent sees it: user turns (without node ids), the agent's own turns
 * with the tags it wrote, and tool turns with their results. {@code scenario} and {@code sample} identify the
 * conversation; a policy that acts on the conversation (the student, a baseline) must not read the scenario's path or
 * values from it. Only a replay of recorded dialogues ({@link ReferencePolicy}) uses the scenario, to find its
 * dialogue.
 *
 * @param scenario the scenario being played
 * @param sample which of the scenario's runs this is, from 0 (runs differ when the policy samples)
 * @param history the conversation so far
 */
public record PolicyRequest(Scenario scenario, int sample, List<Turn> history) {
  public PolicyRequest {
    history = List.copyOf(history);
  }
}
