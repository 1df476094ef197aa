package dev.subterra.training.model;

/**
 * The shape of a student transformer: depth, width, attention heads, context length and vocabulary, plus dropout,
 * whether the output head shares the token embedding, and whether each position also embeds the token before it.
 *
 * <p>Presets, all with the vocabulary of the run's tokenizer:
 *
 * <ul>
 *   <li>{@link #tiny}: 1 layer, width 32, 2 heads, 64 tokens, no previous-token embedding. For tests: trains in seconds
 *       and learns nothing useful.
 *   <li>{@link #small}: 2 layers, width 128, 4 heads, 256 tokens, with the previous-token embedding. The default,
 *       sized for a CPU: 0.94M parameters with a 2,000-token vocabulary, 0.4M of them in the blocks and 0.26M in the
 *       previous-token embedding. The PyTorch comparison in the benchmarks uses the same blocks at 128 tokens. A
 *       travel booking's conversation is 340 tokens at its booking call (median); the brief history of
 *       {@code DialogueSerializer} keeps the user's values in a 192-token prompt.
 *   <li>{@link #base}: 6 layers, width 384, 6 heads, 512 tokens, with the previous-token embedding. For GPU nodes.
 * </ul>
 *
 * @param layers transformer blocks
 * @param width model width (embedding size); a multiple of {@code heads}
 * @param heads attention heads per block
 * @param contextLength the most tokens the model sees at once; also the number of learnt positions
 * @param vocabularySize the tokenizer's vocabulary size
 * @param dropout the probability of dropping an activation during training, in {@code [0, 1)}; never used when
 *     predicting
 * @param tiedHead whether the output head is the transposed token embedding (fewer parameters) or a matrix of its own
 * @param previousTokenEmbedding whether each position adds an embedding of the token before it (a "token shift", as in
 *     the smeared keys of Olsson et al. 2022 and RWKV) to its own token's and position's. Copying a value into a call
 *     means finding the word that names it ({@code 7 nights}) and taking the token beside it; with the neighbour in the
 *     embedding one attention head can do that, where otherwise a first layer must learn to fetch it. Artefacts written
 *     before it existed read as {@code false}.
 */
public record StudentConfig(
    int layers, int width, int heads, int contextLength, int vocabularySize, double dropout, boolean tiedHead,
    boolean previousTokenEmbedding) {

  public StudentConfig {
    if (layers < 1) {
      throw new IllegalArgumentException("Invalid layers: " + layers);
    }
    if (heads < 1) {
      throw new IllegalArgumentException("Invalid heads: " + heads);
    }
    if (width < 1 || width % heads != 0) {
      throw new IllegalArgumentException("Invalid width: " + width + " (must be a positive multiple of heads="
          + heads + ")");
    }
    if (contextLength < 8) {
      throw new IllegalArgumentException("Invalid contextLength: " + contextLength);
    }
    if (vocabularySize < 2) {
      throw new IllegalArgumentException("Invalid vocabularySize: " + vocabularySize);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("Invalid dropout: " + dropout);
    }
  }

  /** A model without the previous-token embedding. */
  public StudentConfig(int layers, int width, int heads, int contextLength, int vocabularySize, double dropout,
      boolean tiedHead) {
    this(layers, width, heads, contextLength, vocabularySize, dropout, tiedHead, false);
  }

  /** A copy with or without the previous-token embedding. */
  public StudentConfig withPreviousTokenEmbedding(boolean value) {
    return new StudentConfig(layers, width, heads, contextLength, vocabularySize, dropout, tiedHead, value);
  }

  /** A model for tests. */
  public static StudentConfig tiny(int vocabularySize) {
    return new StudentConfig(1, 32, 2, 64, vocabularySize, 0.0, true);
  }

  /** The default model, sized for a CPU. */
  public static StudentConfig small(int vocabularySize) {
    return new StudentConfig(2, 128, 4, 256, vocabularySize, 0.0, true, true);
  }

  /** A larger model for GPU nodes. */
  public static StudentConfig base(int vocabularySize) {
    return new StudentConfig(6, 384, 6, 512, vocabularySize, 0.1, true, true);
  }

  /** A preset by name: {@code tiny}, {@code small} or {@code base}. */
  public static StudentConfig preset(String name, int vocabularySize) {
    return switch (name) {
      case "tiny" -> tiny(vocabularySize);
      case "small" -> small(vocabularySize);
      case "base" -> base(vocabularySize);
      default -> throw new IllegalArgumentException("Invalid preset: " + name + " (tiny, small or base)");
    };
  }

  /** The width of one attention head. */
  public int headWidth() {
    return width / heads;
  }

  /** The hidden width of each block's MLP. */
  public int mlpWidth() {
    return 4 * width;
  }

  /** The number of trainable parameters. */
  public long parameterCount() {
    long perBlock = 4L * width * width // attention projections
        + 2L * width * mlpWidth() + mlpWidth() + width // MLP
        + 4L * width; // two layer norms
    long embeddings = (long) vocabularySize * width * (previousTokenEmbedding ? 2 : 1) + (long) contextLength * width;
    long head = 2L * width + (tiedHead ? 0 : (long) width * vocabularySize);
    return embeddings + layers * perBlock + head;
  }
}
