package dev.subterra.synthesis.template;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the natural-language conditions of edges ({@code when}): whether a user template expresses one branch rather
 * than its siblings, and how a user would say a condition in the first person when no template does.
 *
 * <p>Matching is deliberately simple: shared content words (compared by their first five letters, a crude stem) plus
 * agreement in polarity, so that "Yes please." matches "the user accepts" and "No, something else." matches "the user
 * wants a different offer". A template counts for a branch only when it scores higher for it than for every sibling.
 */
final class Conditions {
  private static final Set<String> STOPWORDS = Set.of("the", "a", "an", "to", "of", "and", "or", "is", "are", "it",
      "i", "in", "on", "for", "with", "that", "this", "they", "their", "them", "user", "customer", "caller", "client",
      "wants", "want", "would", "like", "says", "say", "be", "so", "as", "at", "by", "my", "me", "you", "your", "do",
      "does", "has", "have", "please");
  private static final Set<String> POSITIVE = Set.of("yes", "yeah", "yep", "sure", "ok", "okay", "accept", "accepts",
      "agree", "agrees", "confirm", "confirms", "perfect", "great", "likes", "fine", "works", "fixed", "solved");
  private static final Set<String> NEGATIVE = Set.of("no", "nope", "not", "don't", "doesn't", "decline", "declines",
      "refuse", "refuses", "reject", "rejects", "different", "else", "other", "another", "cancel", "wrong", "still",
      "persists", "cannot", "can't");
  private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}']+");
  /** Who a condition is about, in the third person, as workflows and imported flowcharts write it. */
  private static final Pattern SUBJECT = Pattern.compile(
      "\\b(?:the |a )?(?:user|customer|caller|client|traveller|traveler|patient|claimant|policyholder|member)"
          + "(?:'s)?\\b|\\bthey\\b",
      Pattern.CASE_INSENSITIVE);
  private static final Pattern VERB_AFTER_I = Pattern.compile(
      "\\b(I|and|or|but) ((?:only|also|just|still|really|then|now|never|already|no longer|actually) )?([a-z']+)\\b");
  /** Verbs conjugated after "and"/"or", where any other word may follow ("and other dates"). */
  private static final Set<String> COMMON_VERBS = Set.of("wants", "likes", "asks", "needs", "decides", "says",
      "gives", "leaves", "stops", "tries", "chooses", "picks", "agrees", "accepts", "declines", "refuses", "confirms",
      "has", "is", "does", "goes", "prefers", "requests", "provides", "cannot", "can't", "doesn't", "isn't", "hasn't",
      "tells", "mentions", "reports", "describes", "answers", "replies", "selects", "cancels", "changes");

  private Conditions() {}

  /** Whether a template expresses {@code chosen} better than every one of {@code others}. */
  static boolean expresses(String template, String chosen, List<String> others) {
    int mine = score(template, chosen);
    if (mine <= 0) {
      return false;
    }
    for (String other : others) {
      if (score(template, other) >= mine) {
        return false;
      }
    }
    return true;
  }

  static int score(String text, String condition) {
    Set<String> a = stems(text);
    Set<String> b = stems(condition);
    a.retainAll(b);
    int score = a.size();
    int pa = polarity(text);
    int pb = polarity(condition);
    if (pa != 0 && pb != 0) {
      score += pa == pb ? 2 : -2;
    }
    return score;
  }

  private static Set<String> stems(String text) {
    Set<String> stems = new HashSet<>();
    Matcher m = WORD.matcher(text.replaceAll("\\{[^{}]*}", " ").toLowerCase(Locale.ROOT));
    while (m.find()) {
      String w = m.group();
      if (!STOPWORDS.contains(w) && !POSITIVE.contains(w) && !NEGATIVE.contains(w) && w.length() > 2) {
        stems.add(w.length() > 5 ? w.substring(0, 5) : w);
      }
    }
    return stems;
  }

  private static int polarity(String text) {
    int p = 0;
    Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      if (POSITIVE.contains(m.group())) {
        p++;
      } else if (NEGATIVE.contains(m.group())) {
        p--;
      }
    }
    return Integer.signum(p);
  }

  /**
   * A condition as the user would say it: "the user wants a different offer" becomes "I want a different offer.";
   * a condition about something else ("the party is larger than four") is stated as it is.
   */
  static String firstPerson(String condition) {
    String text = condition.trim();
    if (text.endsWith(".")) {
      text = text.substring(0, text.length() - 1);
    }
    Matcher subject = SUBJECT.matcher(text);
    StringBuilder b = new StringBuilder();
    while (subject.find()) {
      boolean possessive = subject.group().endsWith("'s");
      subject.appendReplacement(b, possessive ? "my" : "I");
    }
    subject.appendTail(b);
    text = b.toString()
        .replaceAll("\\btheir\\b", "my")
        .replaceAll("\\bthemselves\\b", "myself")
        .replaceAll("\\bthem\\b", "me")
        .replaceAll("\\bhis or her\\b", "my");
    text = conjugate(text);
    return Utterance.capitalize(text) + ".";
  }

  /** Turns the verbs after "I" (and after "and"/"or" in the same clause) into the first person. */
  private static String conjugate(String text) {
    if (!text.matches("(?s).*\\bI\\b.*")) {
      return text;
    }
    Matcher m = VERB_AFTER_I.matcher(text);
    StringBuilder b = new StringBuilder();
    while (m.find()) {
      String adverb = m.group(2) == null ? "" : m.group(2);
      String word = m.group(3);
      String verb = m.group(1).equals("I") || COMMON_VERBS.contains(word) ? baseForm(word) : word;
      m.appendReplacement(b, Matcher.quoteReplacement(m.group(1) + " " + adverb + verb));
    }
    m.appendTail(b);
    return b.toString();
  }

  static String baseForm(String verb) {
    return switch (verb) {
      case "is", "are" -> "am";
      case "was", "were" -> "was";
      case "has" -> "have";
      case "does" -> "do";
      case "goes" -> "go";
      case "isn't", "aren't" -> "am not";
      case "doesn't" -> "don't";
      case "hasn't" -> "haven't";
      default -> {
        if (verb.length() > 3 && verb.endsWith("ies")) {
          yield verb.substring(0, verb.length() - 3) + "y";
        }
        if (verb.matches(".*(ss|sh|ch|x|z)es")) {
          yield verb.substring(0, verb.length() - 2);
        }
        if (verb.length() > 2 && verb.endsWith("s") && !verb.endsWith("ss") && !verb.endsWith("us")) {
          yield verb.substring(0, verb.length() - 1);
        }
        yield verb;
      }
    };
  }
}
