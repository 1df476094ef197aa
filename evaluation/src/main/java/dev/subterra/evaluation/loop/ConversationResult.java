package dev.subterra.evaluation.loop;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.subterra.synthesis.Turn;
import dev.subterra.workflow.paths.PathSplit;
import java.util.List;

/**
 * One closed-loop conversation: which scenario and run it was, every agent turn beside what the path expected, the
 * transcript, and how and where it ended.
 *
 * @param scenarioId the scenario played
 * @param pathId the scenario's path
 * @param split the path's split: conversations on training paths and on held-out paths are scored apart
 * @param sample which run of the scenario this is, from 0
 * @param policy the name of the policy that played the agent
 * @param terminal the terminal node the scenario's path ends at
 * @param lastAgentNode the node of the path's last agent or tool step, the one that closes the conversation; {@code
 *     null} for a path without one
 * @param steps the agent turns, in order
 * @param transcript the conversation as the agent saw it (user turns without node ids)
 * @param end why the conversation stopped
 * @param firstWrongStep the index in {@code steps} of the first turn the policy got wrong (wrong node, wrong call or a
 *     call where none was due), or -1
 * @param firstWrongNode the node the path expected at that turn: where the conversation went wrong, or {@code null}
 */
public record ConversationResult(
    String scenarioId,
    String pathId,
    PathSplit split,
    int sample,
    String policy,
    String terminal,
    String lastAgentNode,
    List<StepResult> steps,
    List<Turn> transcript,
    EndReason end,
    int firstWrongStep,
    String firstWrongNode) {

  public ConversationResult {
    steps = List.copyOf(steps);
    transcript = List.copyOf(transcript);
  }

  /** Whether the path was played to its terminal. */
  @JsonIgnore
  public boolean completed() {
    return end == EndReason.COMPLETED;
  }

  /** Whether the conversation followed the scenario's path: played to the end, every turn right. */
  @JsonIgnore
  public boolean pathFidelity() {
    return completed() && firstWrongStep < 0 && steps.stream().allMatch(s -> s.validTag());
  }

  /**
   * Whether the conversation ended where the path ends: played to the terminal, with the path's last agent turn (the
   * one that closes the conversation) executed as the right node.
   */
  @JsonIgnore
  public boolean terminalCorrect() {
    if (!completed()) {
      return false;
    }
    for (int i = steps.size() - 1; i >= 0; i--) {
      if (!steps.get(i).digression()) {
        return steps.get(i).nodeCorrect();
      }
    }
    return lastAgentNode == null;
  }

  /** Tokens the policy read over the conversation (prefill). */
  @JsonIgnore
  public long promptTokens() {
    return steps.stream().mapToLong(StepResult::promptTokens).sum();
  }

  /** Tokens the policy wrote over the conversation (decode). */
  @JsonIgnore
  public long generatedTokens() {
    return steps.stream().mapToLong(StepResult::generatedTokens).sum();
  }
}
