package dev.subterra.training.decode;

/**
 * How a {@link Decoder} picks tokens: greedily (temperature 0) or by sampling with a temperature and nucleus (top-p)
 * cut-off, and how many tokens it may write.
 *
 * @param maxNewTokens the most tokens to write per conversation; decoding also stops at the end-of-turn token and at
 *     the model's context length
 * @param temperature 0 for greedy decoding, otherwise the softmax temperature
 * @param topP the smallest set of most likely tokens whose probabilities reach {@code topP} is sampled from; 1 keeps
 *     all
 * @param seed the sampling seed; conversation {@code i} of a batch samples with {@code seed + i}
 */
public record DecodingConfig(int maxNewTokens, double temperature, double topP, long seed) {

  public DecodingConfig {
    if (maxNewTokens < 1) {
      throw new IllegalArgumentException("Invalid maxNewTokens: " + maxNewTokens);
    }
    if (!(temperature >= 0)) {
      throw new IllegalArgumentException("Invalid temperature: " + temperature);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("Invalid topP: " + topP);
    }
  }

  /** Greedy decoding. */
  public static DecodingConfig greedy(int maxNewTokens) {
    return new DecodingConfig(maxNewTokens, 0, 1, 0);
  }

  /** Sampled decoding. */
  public static DecodingConfig sampled(int maxNewTokens, double temperature, double topP, long seed) {
    return new DecodingConfig(maxNewTokens, temperature, topP, seed);
  }

  /** Whether tokens are picked by argmax. */
  public boolean isGreedy() {
    return temperature == 0;
  }
}
