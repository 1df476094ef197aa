package dev.subterra.synthesis.cost;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Tokens a call consumed: prompt tokens in, completion tokens out. {@code estimated} is true when the provider
 * reported no {@code usage} and the counts were estimated from the text, so reports can say which spend is measured.
 */
@JsonPropertyOrder({"input_tokens", "output_tokens", "estimated"})
public record TokenUsage(
    @JsonProperty("input_tokens") long inputTokens,
    @JsonProperty("output_tokens") long outputTokens,
    @JsonProperty("estimated") boolean estimated) {

  /** Characters per token for estimates; a common rule of thumb for English text with BPE tokenizers. */
  private static final int CHARS_PER_TOKEN = 4;

  public static final TokenUsage ZERO = new TokenUsage(0, 0, false);

  public TokenUsage {
    if (inputTokens < 0) {
      throw new IllegalArgumentException("Invalid inputTokens: " + inputTokens);
    }
    if (outputTokens < 0) {
      throw new IllegalArgumentException("Invalid outputTokens: " + outputTokens);
    }
  }

  /** Usage estimated from the length of the prompt and the completion, for providers that report none. */
  public static TokenUsage estimate(long promptChars, long completionChars) {
    return new TokenUsage(ceilDiv(promptChars), ceilDiv(completionChars), true);
  }

  /** The sum of two usages; estimated if either is. */
  public TokenUsage plus(TokenUsage other) {
    return new TokenUsage(
        inputTokens + other.inputTokens, outputTokens + other.outputTokens, estimated || other.estimated);
  }

  private static long ceilDiv(long chars) {
    return (Math.max(0, chars) + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }
}
