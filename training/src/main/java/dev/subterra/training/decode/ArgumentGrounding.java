package dev.subterra.training.decode;

import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Grounded tool arguments: while the student writes the value of an argument inside {@code <call> name(arg=value,
 * ...) </call>}, only tokens that keep the value a whole word-bounded span of what the user said or a tool returned
 * earlier in the conversation may be written.
 *
 * <p>A workflow's tool arguments are slot values, and slot values reach the agent only through the user's turns and
 * earlier tool results, so a value found nowhere there is a hallucination: a call with it cannot succeed. The student
 * still chooses which span (the greedy or sampled pick among the allowed tokens, so a corrected value, said last, is
 * the model's call to make); grounding only removes values that cannot be right. This is constrained decoding, like
 * {@link Decoder#constrainedToTags}, and like it, it counts how often it overrode the model's own most likely token,
 * so evaluation can report what the model does alone.
 *
 * <p>Text is matched byte for byte (each byte read as one ISO-8859-1 character), so a token that is part of a
 * multi-byte character matches exactly the bytes the conversation holds. A value starts at a letter or digit not
 * preceded by one, and ends before a character that is neither. When no token would keep the value on a span, the
 * value ends there; only a value that cannot even start (nothing was said) is left unconstrained.
 */
public final class ArgumentGrounding {
  private static final char SEPARATOR = '\uffff';

  private final String[] tokenText;

  /** Grounding for the tokens of one tokenizer. */
  public ArgumentGrounding(BpeTokenizer tokenizer) {
    tokenText = new String[tokenizer.vocabularySize()];
    for (int id = 0; id < tokenText.length; id++) {
      if (!tokenizer.isStructural(id)) {
        tokenText[id] = new String(tokenizer.decodeBytes(id), StandardCharsets.ISO_8859_1);
      }
    }
  }

  /** The grounding state of one conversation whose prompt (the conversation so far) is {@code prompt}. */
  public Row start(int[] prompt) {
    return new Row(sources(prompt));
  }

  /** The text of the prompt's user turns and tool results, one per line: what arguments may quote. */
  private String sources(int[] prompt) {
    StringBuilder out = new StringBuilder();
    boolean quoting = false;
    for (int id : prompt) {
      if (id == SpecialToken.USER.id() || id == SpecialToken.TOOL.id()) {
        quoting = true;
        out.append(SEPARATOR);
      } else if (id == SpecialToken.END.id()) {
        quoting = false;
      } else if (quoting && tokenText[id] != null) {
        out.append(tokenText[id]);
      }
    }
    return out.append(SEPARATOR).toString();
  }

  private enum Phase { TEXT, NAME, KEY, VALUE }

  /** Where one conversation's turn is in a call, and which spans the value written so far can still be. */
  public final class Row {
    private final String source;
    private final List<Integer> wordStarts = new ArrayList<>();
    private Phase phase = Phase.TEXT;
    private final StringBuilder value = new StringBuilder();
    /** Offsets in {@link #source} where {@link #value} occurs starting at a word start. */
    private int[] matches = new int[0];
    private int overridden;

    private Row(String source) {
      this.source = source;
      for (int p = 0; p < source.length(); p++) {
        if (isWordChar(source.charAt(p)) && (p == 0 || !isWordChar(source.charAt(p - 1)))) {
          wordStarts.add(p);
        }
      }
    }

    /**
     * Masks the logits of every token that would take the value being written off every grounded span; does
     * nothing outside an argument value.
     */
    public void mask(float[] logits) {
      if (phase != Phase.VALUE) {
        return;
      }
      boolean[] allowed = new boolean[logits.length];
      boolean any = false;
      for (int id = 0; id < logits.length; id++) {
        allowed[id] = tokenText[id] != null && fits(tokenText[id]);
        any |= allowed[id];
      }
      // A value that no token extends along a grounded span ends here, if it is not empty.
      for (int id = 0; !any && value.length() > 0 && id < logits.length; id++) {
        allowed[id] = tokenText[id] != null && !tokenText[id].isEmpty() && isDelimiter(tokenText[id].charAt(0));
        any |= allowed[id];
      }
      if (!any) {
        return;
      }
      int argmax = 0;
      for (int k = 1; k < logits.length; k++) {
        if (logits[k] > logits[argmax]) {
          argmax = k;
        }
      }
      if (!allowed[argmax]) {
        overridden++;
      }
      for (int k = 0; k < logits.length; k++) {
        if (!allowed[k]) {
          logits[k] = Float.NEGATIVE_INFINITY;
        }
      }
    }

    /** Moves the state past the token written. */
    public void accept(int token) {
      if (token == SpecialToken.CALL.id()) {
        phase = Phase.NAME;
        return;
      }
      if (token == SpecialToken.CALL_END.id() || tokenText[token] == null) {
        phase = Phase.TEXT;
        return;
      }
      String text = tokenText[token];
      for (int i = 0; i < text.length(); i++) {
        char c = text.charAt(i);
        switch (phase) {
          case NAME -> phase = c == '(' ? Phase.KEY : Phase.NAME;
          case KEY -> {
            if (c == '=') {
              phase = Phase.VALUE;
              value.setLength(0);
              matches = wordStarts.stream().mapToInt(Integer::intValue).toArray();
            }
          }
          case VALUE -> {
            if (isDelimiter(c)) {
              phase = c == ',' ? Phase.KEY : Phase.TEXT;
            } else {
              value.append(c);
              matches = narrow(value.length() - 1, c);
            }
          }
          default -> { }
        }
      }
    }

    /** The matches whose character at {@code offset} is {@code c}. */
    private int[] narrow(int offset, char c) {
      int kept = 0;
      int[] out = new int[matches.length];
      for (int p : matches) {
        if (p + offset < source.length() && source.charAt(p + offset) == c) {
          out[kept++] = p;
        }
      }
      return Arrays.copyOf(out, kept);
    }

    /** How many tokens of this turn the model would have written otherwise. */
    public int overridden() {
      return overridden;
    }

    /** Whether appending {@code text} keeps the value on a grounded span, or ends it on the end of one. */
    private boolean fits(String text) {
      int end = 0;
      while (end < text.length() && !isDelimiter(text.charAt(end))) {
        end++;
      }
      boolean closes = end < text.length();
      int length = value.length() + end;
      if (closes && length == 0) {
        return false;
      }
      for (int p : matches) {
        if (source.regionMatches(p + value.length(), text, 0, end)
            && (!closes || p + length >= source.length() || !isWordChar(source.charAt(p + length)))) {
          return true;
        }
      }
      return false;
    }
  }

  /** What ends an argument value in {@code name(arg=value, ...)}. */
  private static boolean isDelimiter(char c) {
    return c == ',' || c == ')';
  }

  /** A letter or digit, or a byte of a multi-byte character (never split a word there). */
  private static boolean isWordChar(char c) {
    return c != SEPARATOR && (c >= 0x80 || Character.isLetterOrDigit(c));
  }
}
