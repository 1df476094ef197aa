package dev.subterra.training.serial;

import java.util.Arrays;

/**
 * Token ids with a loss mask: {@code targets[i]} says whether the model is trained to predict {@code tokens[i]} from
 * the tokens before it. Only the agent's own output is a target; everything else is context.
 */
public record TokenSequence(int[] tokens, boolean[] targets) {

  public TokenSequence {
    if (tokens.length != targets.length) {
      throw new IllegalArgumentException("Invalid targets: " + targets.length + " flags for " + tokens.length
          + " tokens");
    }
    tokens = tokens.clone();
    targets = targets.clone();
  }

  /** The number of tokens. */
  public int length() {
    return tokens.length;
  }

  /** The number of target tokens. */
  public int targetCount() {
    int n = 0;
    for (boolean t : targets) {
      n += t ? 1 : 0;
    }
    return n;
  }

  @Override
  public int[] tokens() {
    return tokens.clone();
  }

  @Override
  public boolean[] targets() {
    return targets.clone();
  }

  /** The token at one position, without copying the array. */
  public int token(int i) {
    return tokens[i];
  }

  /** Whether the token at one position is a target, without copying the array. */
  public boolean isTarget(int i) {
    return targets[i];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TokenSequence other
        && Arrays.equals(tokens, other.tokens)
        && Arrays.equals(targets, other.targets);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(tokens) + Arrays.hashCode(targets);
  }

  @Override
  public String toString() {
    return "TokenSequence[length=" + tokens.length + ", targets=" + targetCount() + "]";
  }
}
