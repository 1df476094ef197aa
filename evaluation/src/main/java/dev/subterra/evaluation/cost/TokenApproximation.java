package dev.subterra.evaluation.cost;

/**
 * How many tokens a frontier model would count for a text, without its tokenizer: one token per
 * {@value #CHARS_PER_TOKEN} characters, rounded up, plus {@value #MESSAGE_OVERHEAD} tokens per chat message for the
 * role and delimiters.
 *
 * <p>Four characters per token is the usual rule of thumb for English with the BPE tokenizers of current frontier
 * models (OpenAI's tokenizer guide says so; synthesis estimates unreported usage the same way), and three to four
 * tokens of framing per message is what OpenAI's chat format adds. The rule is within roughly 10-20% for English
 * prose; it undercounts code, identifiers and non-Latin scripts. The cost ratio is insensitive to it, since the
 * baselines' prompts dominate and scale with it linearly.
 */
public final class TokenApproximation {
  /** Characters per token. */
  public static final int CHARS_PER_TOKEN = 4;
  /** Tokens of framing per chat message. */
  public static final int MESSAGE_OVERHEAD = 4;

  private TokenApproximation() {}

  /** The tokens of a text: its length over {@value #CHARS_PER_TOKEN}, rounded up. */
  public static long tokens(String text) {
    if (text == null || text.isEmpty()) {
      return 0;
    }
    return (text.length() + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN;
  }

  /** The tokens of one chat message with this content, framing included. */
  public static long message(String content) {
    return tokens(content) + MESSAGE_OVERHEAD;
  }
}
