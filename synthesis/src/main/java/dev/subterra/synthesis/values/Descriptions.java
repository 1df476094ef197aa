package dev.subterra.synthesis.values;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * New descriptions recombined from a slot's examples, so that they read like the examples without being any of them:
 * "the saver package with a sea-view room and breakfast included" from "the saver package with one stop ..." and
 * "the boutique package with a sea-view room ...".
 *
 * <p>A description is an example changed one to three times, each time by one of:
 * <ul>
 *   <li><em>splice</em>: the head of the description up to a connecting word ({@link #CONNECTORS}: "with", "and",
 *       "in", ...) joined to the tail of an example from the same word on. A short description (at most
 *       {@link #SHORT_WORDS} words) without such a word is spliced after its first word ("2019" and "Ford Focus") or
 *       before a last word that ends several examples ("Dell XPS" and "desktop");</li>
 *   <li><em>swap</em>: a word replaced by another that some example has between the same two neighbours ("the
 *       boutique package" and "the family package");</li>
 *   <li><em>renumber</em>: a number replaced by another of the same number of digits, from the examples or near the
 *       original ("4-star" and "3-star", "2019" and "2021").</li>
 * </ul>
 * Words come only from the examples (numbers aside), so the result stays in the examples' vocabulary and register. A
 * draw that lands on an example, repeats a word or grows much longer than the examples is tried again.
 */
final class Descriptions {
  /** Words at which two descriptions are joined. */
  static final List<String> CONNECTORS = List.of("with", "and", "in", "on", "near", "at", "after", "while", "into",
      "for", "from", "but", "of", "to", "by", "that", "as");
  /** Descriptions of at most this many words may also be joined after the first word or before the last. */
  static final int SHORT_WORDS = 5;
  /** Tries per description before the last attempt is returned as it is. */
  static final int ATTEMPTS = 100;
  /** How many words longer than the longest example a description may grow. */
  private static final int EXTRA_WORDS = 3;
  private static final String START = "\u0002";
  private static final String END = "\u0003";
  private static final Pattern DIGITS = Pattern.compile("\\d{1,15}");

  private final List<List<String>> examples;
  private final Set<String> exampleTexts;
  /** Connector to the (example, position) pairs it occurs at, not as the first or last word. */
  private final Map<String, List<int[]>> connectorsAt = new LinkedHashMap<>();
  /** Left and right neighbour to the words seen between them. */
  private final Map<String, List<String>> between = new LinkedHashMap<>();
  /** Digit count to the numbers of the examples. */
  private final Map<Integer, TreeSet<Long>> numbers = new LinkedHashMap<>();
  /** Last words that end two or more examples. */
  private final Set<String> sharedLastWords = new HashSet<>();
  private final int maxWords;

  Descriptions(List<String> texts) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("Cannot recombine descriptions: the slot has no example descriptions");
    }
    List<List<String>> split = new ArrayList<>();
    for (String text : new LinkedHashSet<>(texts)) {
      split.add(List.of(text.strip().split("\\s+")));
    }
    this.examples = List.copyOf(split);
    this.exampleTexts = new HashSet<>();
    examples.forEach(words -> exampleTexts.add(String.join(" ", words)));
    Map<String, Set<String>> seen = new LinkedHashMap<>();
    for (int e = 0; e < examples.size(); e++) {
      List<String> words = examples.get(e);
      for (int i = 0; i < words.size(); i++) {
        String word = words.get(i);
        if (i > 0 && i < words.size() - 1 && CONNECTORS.contains(word)) {
          connectorsAt.computeIfAbsent(word, k -> new ArrayList<>()).add(new int[] {e, i});
        }
        seen.computeIfAbsent(context(words, i), k -> new LinkedHashSet<>()).add(word);
        Matcher m = DIGITS.matcher(word);
        while (m.find()) {
          numbers.computeIfAbsent(m.group().length(), k -> new TreeSet<>()).add(Long.parseLong(m.group()));
        }
      }
    }
    Map<String, Integer> lastWords = new LinkedHashMap<>();
    examples.forEach(words -> lastWords.merge(words.get(words.size() - 1), 1, Integer::sum));
    lastWords.forEach((word, count) -> {
      if (count > 1) {
        sharedLastWords.add(word);
      }
    });
    seen.forEach((key, words) -> {
      if (words.size() > 1) {
        between.put(key, List.copyOf(words));
      }
    });
    this.maxWords = examples.stream().mapToInt(List::size).max().orElse(1) + EXTRA_WORDS;
  }

  /** A description of any share; rarely, when the examples allow nothing new, one of the examples. */
  String next(SplittableRandom random) {
    String last = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      List<String> words = new ArrayList<>(examples.get(random.nextInt(examples.size())));
      int changes = 1 + random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        int op = random.nextInt(4);
        words = op < 2 ? splice(words, random) : op == 2 ? swap(words, random) : renumber(words, random);
      }
      last = String.join(" ", words);
      if (!exampleTexts.contains(last) && words.size() <= maxWords && !repeatsAWord(words)) {
        return last;
      }
    }
    return last;
  }

  private List<String> splice(List<String> words, SplittableRandom random) {
    List<int[]> cuts = new ArrayList<>();
    for (int i = 1; i < words.size() - 1; i++) {
      List<int[]> at = connectorsAt.get(words.get(i));
      if (at != null) {
        for (int[] other : at) {
          cuts.add(new int[] {i, other[0], other[1]});
        }
      }
    }
    if (!cuts.isEmpty()) {
      int[] cut = cuts.get(random.nextInt(cuts.size()));
      List<String> joined = new ArrayList<>(words.subList(0, cut[0]));
      List<String> tail = examples.get(cut[1]);
      joined.addAll(tail.subList(cut[2], tail.size()));
      return joined;
    }
    List<String> other = examples.get(random.nextInt(examples.size()));
    if (words.size() < 2 || other.size() < 2 || words.size() > SHORT_WORDS || other.size() > SHORT_WORDS) {
      return words;
    }
    List<String> joined = new ArrayList<>();
    if (random.nextBoolean()) {
      // After the first word, only a tail of two or more words that starts with a word: "Northside" and "Auto Body",
      // "2019" and "Ford Focus"; a single word or a number is too little to stand on its own.
      if (other.size() < 3 || DIGITS.matcher(other.get(1)).lookingAt()) {
        return words;
      }
      joined.add(words.get(0));
      joined.addAll(other.subList(1, other.size()));
    } else {
      // Before the last word, only a last word that ends several examples, the kind of thing they name ("laptop").
      String last = other.get(other.size() - 1);
      if (!sharedLastWords.contains(last)) {
        return words;
      }
      joined.addAll(words.subList(0, words.size() - 1));
      joined.add(last);
    }
    return joined;
  }

  private List<String> swap(List<String> words, SplittableRandom random) {
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      if (between.containsKey(context(words, i))) {
        positions.add(i);
      }
    }
    if (positions.isEmpty()) {
      return words;
    }
    int i = positions.get(random.nextInt(positions.size()));
    List<String> choices = between.get(context(words, i));
    List<String> swapped = new ArrayList<>(words);
    swapped.set(i, choices.get(random.nextInt(choices.size())));
    return swapped;
  }

  private List<String> renumber(List<String> words, SplittableRandom random) {
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < words.size(); i++) {
      if (DIGITS.matcher(words.get(i)).find()) {
        positions.add(i);
      }
    }
    if (positions.isEmpty()) {
      return words;
    }
    int i = positions.get(random.nextInt(positions.size()));
    Matcher m = DIGITS.matcher(words.get(i));
    m.find();
    int digits = m.group().length();
    long n = Long.parseLong(m.group());
    // Other numbers of the examples with as many digits, and a few near this one: years stay years, ratings stay small.
    Set<Long> choices = new TreeSet<>(numbers.getOrDefault(digits, new TreeSet<>()));
    long reach = n < 10 ? 2 : 3;
    for (long d = -reach; d <= reach; d++) {
      long candidate = n + d;
      if (candidate > 0 && Long.toString(candidate).length() == digits) {
        choices.add(candidate);
      }
    }
    choices.remove(n);
    if (choices.isEmpty()) {
      return words;
    }
    Long[] options = choices.toArray(new Long[0]);
    String replacement = String.format("%0" + digits + "d", options[random.nextInt(options.length)]);
    List<String> renumbered = new ArrayList<>(words);
    String word = words.get(i);
    renumbered.set(i, word.substring(0, m.start()) + replacement + word.substring(m.end()));
    return renumbered;
  }

  private static String context(List<String> words, int i) {
    String left = i == 0 ? START : words.get(i - 1);
    String right = i == words.size() - 1 ? END : words.get(i + 1);
    return left + "\u0000" + right;
  }

  private static boolean repeatsAWord(List<String> words) {
    for (int i = 1; i < words.size(); i++) {
      if (words.get(i).equalsIgnoreCase(words.get(i - 1))) {
        return true;
      }
    }
    return false;
  }

  /** The words of all examples, for tests. */
  Set<String> vocabulary() {
    Set<String> vocabulary = new HashSet<>();
    examples.forEach(vocabulary::addAll);
    return vocabulary;
  }
}
