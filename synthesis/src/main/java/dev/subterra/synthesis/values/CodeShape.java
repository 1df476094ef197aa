package dev.subterra.synthesis.values;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The shape of a slot's example codes, and new codes of that shape: what every example shares is kept, digits become
 * random digits and letters random letters of the same case ({@code BK-20931} and {@code BK-77120} give {@code BK-}
 * and five random digits; {@code LS6 2QT} gives two letters, a digit, a space, a digit and two letters).
 *
 * <p>When all examples have the same length, each position is read as a column: a character that every example has
 * there is kept. Otherwise a random example is the template, and only the prefix and suffix that all examples share
 * are kept. A shared letter or digit is kept only when three or more examples agree on it, or when it is part of a
 * shared leading run of letters (the {@code BK} of a single example {@code BK-20931}); otherwise one or two examples
 * would make every code a copy of them. Punctuation and spaces are always kept from the template.
 */
final class CodeShape {
  /** Examples that must agree on a letter or digit before it is taken as part of the shape. */
  static final int AGREEING_EXAMPLES = 3;

  private final List<String> examples;
  /** Per column when the examples have one length, else null. */
  private final boolean[] keptColumn;
  private final int keptPrefix;
  private final int keptSuffix;

  CodeShape(List<String> examples) {
    if (examples.isEmpty()) {
      throw new IllegalArgumentException("Cannot infer a code shape: the slot has no example codes");
    }
    this.examples = List.copyOf(examples);
    int prefix = commonPrefix(examples);
    int leadingLetters = 0;
    String first = examples.get(0);
    while (leadingLetters < prefix && Character.isLetter(first.charAt(leadingLetters))) {
      leadingLetters++;
    }
    boolean trusted = examples.size() >= AGREEING_EXAMPLES;
    if (examples.stream().mapToInt(String::length).distinct().count() == 1) {
      keptColumn = new boolean[first.length()];
      for (int i = 0; i < first.length(); i++) {
        char c = first.charAt(i);
        int column = i;
        boolean shared = examples.stream().allMatch(e -> e.charAt(column) == c);
        keptColumn[i] = shared && (trusted || !Character.isLetterOrDigit(c) || i < leadingLetters);
      }
      keptPrefix = 0;
      keptSuffix = 0;
    } else {
      keptColumn = null;
      keptPrefix = trusted ? prefix : leadingLetters;
      keptSuffix = trusted ? commonSuffix(examples) : 0;
    }
  }

  /** A code of the shape, of any share. */
  String next(SplittableRandom random) {
    String template = examples.get(random.nextInt(examples.size()));
    StringBuilder code = new StringBuilder(template.length());
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      boolean kept = keptColumn != null ? keptColumn[i]
          : i < keptPrefix || i >= template.length() - keptSuffix;
      if (kept || !Character.isLetterOrDigit(c)) {
        code.append(c);
      } else if (Character.isDigit(c)) {
        code.append((char) ('0' + random.nextInt(10)));
      } else {
        char letter = (char) ('A' + random.nextInt(26));
        code.append(Character.isLowerCase(c) ? Character.toLowerCase(letter) : letter);
      }
    }
    return code.toString();
  }

  private static int commonPrefix(List<String> examples) {
    String first = examples.get(0);
    int n = first.length();
    for (String e : examples) {
      int i = 0;
      while (i < n && i < e.length() && e.charAt(i) == first.charAt(i)) {
        i++;
      }
      n = i;
    }
    return n;
  }

  private static int commonSuffix(List<String> examples) {
    String first = examples.get(0);
    int n = first.length();
    for (String e : examples) {
      int i = 0;
      while (i < n && i < e.length()
          && e.charAt(e.length() - 1 - i) == first.charAt(first.length() - 1 - i)) {
        i++;
      }
      n = i;
    }
    // A suffix may not overlap the prefix of the shortest example; shorter is safe.
    int shortest = examples.stream().mapToInt(String::length).min().orElse(0);
    return Math.min(n, Math.max(0, shortest - commonPrefix(examples)));
  }
}
