package dev.subterra.evaluation.loop;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.subterra.evaluation.simulate.ToolSimulator;
import dev.subterra.synthesis.ToolInvocation;
import java.util.Objects;

/**
 * One agent turn of a closed-loop conversation beside what the scenario's path expected there.
 *
 * @param turn the agent turn's number in the conversation, from 0
 * @param pathStep the step of the scenario's path the turn was expected to execute
 * @param expectedNode the node the path expected; for the agent's answer to an off-topic question, the user node the
 *     conversation waits at, as the teachers tag it
 * @param predictedNode the tag the policy wrote, or {@code null} for none
 * @param validTag whether the tag names a node of the workflow
 * @param tagOverridden whether constrained decoding replaced a first token that was not a tag
 * @param digression whether the turn answers the user's off-topic question
 * @param afterHub whether the turn follows a hub: a decision, or any node with more than one edge (a branching user or
 *     agent turn, a tool with several outcomes), so that getting it right means taking the right branch
 * @param expectedCall the call the path expected, at a tool step; {@code null} elsewhere
 * @param predictedCall the call the policy made, or {@code null}
 * @param toolResult what the tool simulator answered, or {@code null} when no call was made
 * @param text the turn's text
 * @param promptTokens tokens the policy read for this turn
 * @param generatedTokens tokens the policy wrote for this turn
 * @param groundedOverrides tokens of the call's arguments that grounded decoding changed from the policy's own choice
 */
public record StepResult(
    int turn,
    int pathStep,
    String expectedNode,
    String predictedNode,
    boolean validTag,
    boolean tagOverridden,
    boolean digression,
    boolean afterHub,
    ToolInvocation expectedCall,
    ToolInvocation predictedCall,
    String toolResult,
    String text,
    int promptTokens,
    int generatedTokens,
    int groundedOverrides) {

  /** Whether the policy executed the expected node. */
  @JsonIgnore
  public boolean nodeCorrect() {
    return Objects.equals(expectedNode, predictedNode);
  }

  /** Whether the call is right: the expected call exactly at a tool step, no call elsewhere. */
  @JsonIgnore
  public boolean callCorrect() {
    return expectedCall == null ? predictedCall == null : ToolSimulator.sameCall(expectedCall, predictedCall);
  }

  /** Whether the turn did what the path asked: the right node and the right call (or none). */
  @JsonIgnore
  public boolean correct() {
    return nodeCorrect() && callCorrect();
  }

  /** Whether the policy made a call whose arguments grounded decoding changed. */
  @JsonIgnore
  public boolean callGrounded() {
    return predictedCall != null && groundedOverrides > 0;
  }

  /** Whether the tag was invalid, or would have been without constrained decoding. */
  @JsonIgnore
  public boolean invalidTag() {
    return !validTag || tagOverridden;
  }
}
