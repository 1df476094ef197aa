package dev.subterra.synthesis.template;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * How a user with a given set of styles says things: which paraphrase a terse or chatty user picks, the fillers and
 * asides of chatty, confused and impatient users, and typos that never touch a slot value.
 *
 * <p>The wording lists are small on purpose: variety comes from combining them with templates and values, and the
 * student should learn to ignore them rather than to expect them.
 */
final class UserVoice {
  /** Chance that a user with no style still opens with a filler, so plain dialogues vary a little too. */
  static final double PLAIN_FILLER = 0.08;
  /** Chance per word of at least four letters that a user who makes typos misspells it. */
  static final double TYPO_RATE = 0.18;

  private static final List<String> FILLERS = List.of("Um, ", "Well, ", "Hmm, ", "So, ", "Uh, ", "Okay, ");
  private static final List<String> CHATTY_OPENERS = List.of("Oh, hi again! ", "Thanks so much for helping. ",
      "I've been meaning to sort this out all week. ", "Great question! ", "Honestly, you're a lifesaver. ");
  private static final List<String> CHATTY_CLOSERS = List.of(" Hope that makes sense!", " Thanks a lot!",
      " My friend said you were really helpful.", " It's been quite a week, to be honest.");
  private static final List<String> CONFUSED_OPENERS = List.of("Sorry, I'm not sure I follow, but ",
      "Um, I think ", "Wait, is this what you need? ", "I'm a bit lost here. ");
  private static final List<String> IMPATIENT_CLOSERS = List.of(" Please hurry.", " Can we speed this up?",
      " I don't have much time.", " Quickly, please.");
  private static final List<String> CORRECTIONS = List.of("Sorry, I mean {right}, not {wrong}.",
      "Wait, no: {right}, not {wrong}.", "Oops, {wrong} is wrong. It's {right}.",
      "Actually, make that {right} instead of {wrong}.");

  private final Set<String> styles;

  UserVoice(List<String> styles) {
    this.styles = Set.copyOf(styles);
  }

  boolean has(String style) {
    return styles.contains(style);
  }

  /** A paraphrase: the shorter half of the candidates for a terse user, the longer half for a chatty one. */
  String choose(List<String> candidates, SplittableRandom random) {
    if (candidates.size() > 1 && (has("terse") || has("chatty"))) {
      List<String> sorted = new ArrayList<>(candidates);
      sorted.sort(Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder()));
      int half = (sorted.size() + 1) / 2;
      List<String> pool = has("terse") ? sorted.subList(0, half) : sorted.subList(sorted.size() - half, sorted.size());
      return pool.get(random.nextInt(pool.size()));
    }
    return candidates.get(random.nextInt(candidates.size()));
  }

  /** Fillers, asides and typos for this user's styles. */
  Utterance dress(Utterance text, SplittableRandom random) {
    Utterance out = text;
    if (has("terse")) {
      out = out.mapLiterals(s -> s.replace("!", ".").replaceAll("(?i),? ?\\bplease\\b,?", "")
          .replaceAll(" +([.!?,])", "$1"));
    }
    if (has("confused") && random.nextDouble() < 0.6) {
      out = out.after(pick(CONFUSED_OPENERS, random));
    } else if ((has("chatty") || has("confused")) && random.nextDouble() < 0.5
        || !has("terse") && random.nextDouble() < PLAIN_FILLER) {
      out = out.after(pick(FILLERS, random));
    }
    if (has("chatty")) {
      if (random.nextBoolean()) {
        out = Utterance.literal(pick(CHATTY_OPENERS, random).trim()).then(out);
      } else {
        out = out.then(Utterance.literal(pick(CHATTY_CLOSERS, random).trim()));
      }
    }
    if (has("impatient") && random.nextDouble() < 0.6) {
      out = out.then(Utterance.literal(pick(IMPATIENT_CLOSERS, random).trim()));
    }
    if (has("makes_typos")) {
      out = out.mapLiterals(s -> misspell(s, random));
    }
    return out;
  }

  /** The text with one value first given wrong and then corrected; unchanged when no value has an alternative. */
  Utterance correct(Utterance text, java.util.Map<String, List<String>> alternatives, SplittableRandom random) {
    List<Utterance.Segment> values = text.segments().stream()
        .filter(s -> s.isSlot() && !alternatives.getOrDefault(s.slot(), List.of()).isEmpty())
        .toList();
    if (values.isEmpty()) {
      return text;
    }
    Utterance.Segment target = values.get(random.nextInt(values.size()));
    List<String> wrongs = alternatives.get(target.slot());
    String wrong = wrongs.get(random.nextInt(wrongs.size()));
    Utterance said = Utterance.render(pick(CORRECTIONS, random), java.util.Map.of("right", target.text(),
        "wrong", wrong));
    // The right value stays a slot segment, so that typos spare it; the wrong one is just words.
    List<Utterance.Segment> correction = new ArrayList<>();
    for (Utterance.Segment s : said.segments()) {
      if ("right".equals(s.slot())) {
        correction.add(new Utterance.Segment(s.text(), target.slot()));
      } else {
        correction.add(new Utterance.Segment(s.text(), null));
      }
    }
    return text.withValue(target.slot(), wrong).then(Utterance.of(correction));
  }

  /** Swaps, drops or doubles a letter in some longer words. */
  static String misspell(String text, SplittableRandom random) {
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      int j = i;
      while (j < text.length() && Character.isLetter(text.charAt(j))) {
        j++;
      }
      if (j == i) {
        out.append(text.charAt(i));
        i++;
        continue;
      }
      String word = text.substring(i, j);
      if (word.length() >= 4 && random.nextDouble() < TYPO_RATE) {
        int k = 1 + random.nextInt(word.length() - 2);
        word = switch (random.nextInt(3)) {
          case 0 -> word.substring(0, k) + word.charAt(k + 1) + word.charAt(k) + word.substring(k + 2);
          case 1 -> word.substring(0, k) + word.substring(k + 1);
          default -> word.substring(0, k) + word.charAt(k) + word.substring(k);
        };
      }
      out.append(word);
      i = j;
    }
    return out.toString();
  }

  static String pick(List<String> options, SplittableRandom random) {
    return options.get(random.nextInt(options.size()));
  }
}
