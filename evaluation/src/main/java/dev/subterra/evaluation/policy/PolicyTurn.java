package dev.subterra.evaluation.policy;

import dev.subterra.synthesis.Turn;

/**
 * The agent's next turn as a policy wrote it, with what writing it cost.
 *
 * @param turn the turn: an {@code AGENT} turn with the node tag and text, or a {@code TOOL} turn with the tag and the
 *     call (its result {@code null}, for the tool simulator to fill); a {@code null} node id means the policy wrote no
 *     tag
 * @param promptTokens tokens the model read to write it (prefill); 0 for policies that run no model
 * @param generatedTokens tokens the model wrote (decode); 0 for policies that run no model
 * @param tagOverridden whether tag-constrained decoding replaced the model's own first choice, which was not a tag:
 *     unconstrained, the turn would have had an invalid tag
 * @param groundedOverrides tokens of the turn's tool-call arguments that grounded decoding changed from the model's
 *     own choice; 0 when there was none
 */
public record PolicyTurn(Turn turn, int promptTokens, int generatedTokens, boolean tagOverridden,
    int groundedOverrides) {
  public PolicyTurn {
    if (turn == null) {
      throw new IllegalArgumentException("Invalid turn: null");
    }
    if (promptTokens < 0) {
      throw new IllegalArgumentException("Invalid promptTokens: " + promptTokens);
    }
    if (generatedTokens < 0) {
      throw new IllegalArgumentException("Invalid generatedTokens: " + generatedTokens);
    }
    if (groundedOverrides < 0) {
      throw new IllegalArgumentException("Invalid groundedOverrides: " + groundedOverrides);
    }
  }

  /** A turn without argument grounding. */
  public PolicyTurn(Turn turn, int promptTokens, int generatedTokens, boolean tagOverridden) {
    this(turn, promptTokens, generatedTokens, tagOverridden, 0);
  }

  /** A turn written without a model. */
  public static PolicyTurn of(Turn turn) {
    return new PolicyTurn(turn, 0, 0, false);
  }
}
