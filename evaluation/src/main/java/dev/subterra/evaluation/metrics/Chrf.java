package dev.subterra.evaluation.metrics;

import java.util.HashMap;
import java.util.Map;

/**
 * chrF, the character n-gram F-score of a text against a reference (Popović 2015), as sacreBLEU computes it by
 * default: character n-grams of orders 1 to {@value #MAX_ORDER} with whitespace removed, precision and recall averaged
 * over the orders, then combined with {@code beta} = {@value #BETA} (recall weighs twice as much as precision). Scores
 * are in [0, 1], not sacreBLEU's [0, 100]; two empty texts score 1.
 */
public final class Chrf {
  /** The highest n-gram order. */
  public static final int MAX_ORDER = 6;
  /** The weight of recall against precision. */
  public static final double BETA = 2.0;

  private Chrf() {}

  /** The chrF of {@code hypothesis} against {@code reference}. */
  public static double score(String hypothesis, String reference) {
    String hyp = hypothesis == null ? "" : hypothesis.replaceAll("\\s+", "");
    String ref = reference == null ? "" : reference.replaceAll("\\s+", "");
    if (hyp.isEmpty() && ref.isEmpty()) {
      return 1.0;
    }
    if (hyp.isEmpty() || ref.isEmpty()) {
      return 0.0;
    }
    double precision = 0;
    double recall = 0;
    int orders = 0;
    for (int n = 1; n <= MAX_ORDER; n++) {
      Map<String, Integer> h = grams(hyp, n);
      Map<String, Integer> r = grams(ref, n);
      int hypTotal = hyp.length() - n + 1;
      int refTotal = ref.length() - n + 1;
      if (hypTotal <= 0 || refTotal <= 0) {
        // Texts shorter than n: sacreBLEU leaves the order out rather than scoring it 0.
        continue;
      }
      int matches = 0;
      for (Map.Entry<String, Integer> e : h.entrySet()) {
        matches += Math.min(e.getValue(), r.getOrDefault(e.getKey(), 0));
      }
      precision += (double) matches / hypTotal;
      recall += (double) matches / refTotal;
      orders++;
    }
    precision /= orders;
    recall /= orders;
    if (precision + recall == 0) {
      return 0.0;
    }
    double b2 = BETA * BETA;
    return (1 + b2) * precision * recall / (b2 * precision + recall);
  }

  private static Map<String, Integer> grams(String text, int n) {
    Map<String, Integer> out = new HashMap<>();
    for (int i = 0; i + n <= text.length(); i++) {
      out.merge(text.substring(i, i + n), 1, Integer::sum);
    }
    return out;
  }
}
