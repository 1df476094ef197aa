package dev.subterra.training.decode;

import dev.subterra.training.tokenizer.SpecialToken;

/**
 * What the decoder wrote for one conversation.
 *
 * @param tokens the new tokens, including the end-of-turn token when decoding stopped there
 * @param stop why decoding stopped
 * @param firstTokenConstrained whether the decoder restricts the first token (to node tags) and the model's own
 *     first choice, its most likely token, was outside that set: how often unconstrained decoding would have written
 *     an invalid tag
 * @param groundedOverrides how many tokens of a tool call's argument values {@link ArgumentGrounding} changed from the
 *     model's own most likely token; 0 without grounding
 */
public record Generation(int[] tokens, Stop stop, boolean firstTokenConstrained, int groundedOverrides) {

  /** Why decoding of a conversation stopped. */
  public enum Stop {
    /** The model ended its turn. */
    END_OF_TURN,
    /** {@link DecodingConfig#maxNewTokens()} was reached. */
    TOKEN_LIMIT,
    /** The conversation filled the model's context. */
    CONTEXT_FULL;

    /**
     * The decoders' one stopping rule: why a turn stops once it has written {@code token} as its {@code written}-th
     * token and the conversation's next position is {@code position}, or null when it goes on. The end-of-turn token
     * comes first, then a full context, then the token limit.
     */
    static Stop after(int token, int written, int position, DecodingConfig decoding, int contextLength) {
      // The context first: a call may run past the token limit (a call cut short would not parse), never past the
      // context, which has no room for another position.
      return token == SpecialToken.END.id() ? END_OF_TURN
          : position >= contextLength ? CONTEXT_FULL
          : written >= decoding.maxNewTokens() ? TOKEN_LIMIT
          : null;
    }
  }

  public Generation {
    tokens = tokens.clone();
  }

  /** A generation without argument grounding. */
  public Generation(int[] tokens, Stop stop, boolean firstTokenConstrained) {
    this(tokens, stop, firstTokenConstrained, 0);
  }

  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Generation g && java.util.Arrays.equals(tokens, g.tokens) && stop == g.stop
        && firstTokenConstrained == g.firstTokenConstrained && groundedOverrides == g.groundedOverrides;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * (31 * java.util.Arrays.hashCode(tokens) + stop.hashCode())
        + Boolean.hashCode(firstTokenConstrained)) + groundedOverrides;
  }

  @Override
  public String toString() {
    return "Generation[tokens=" + java.util.Arrays.toString(tokens) + ", stop=" + stop + ", firstTokenConstrained="
        + firstTokenConstrained + ", groundedOverrides=" + groundedOverrides + "]";
  }
}
