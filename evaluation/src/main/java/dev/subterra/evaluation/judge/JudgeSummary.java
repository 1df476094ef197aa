package dev.subterra.evaluation.judge;

import dev.subterra.evaluation.metrics.Bootstrap;
import dev.subterra.evaluation.metrics.Estimate;
import dev.subterra.evaluation.metrics.Summary;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The judge's scores over a set of conversations: the mean of each criterion, and of the five together
 * ({@value #OVERALL}), with bootstrap intervals over the conversations scored, and the failures by reason.
 *
 * @param judge the judge's name (its model)
 * @param rubricVersion the rubric it scored with
 * @param conversations conversations sent to the judge
 * @param scored conversations it scored
 * @param criteria each criterion's mean, by {@link JudgeScores#KEYS}, then {@value #OVERALL}
 * @param failures conversations it could not score, by reason
 * @param inputTokens tokens the judge read
 * @param outputTokens tokens the judge wrote
 * @param costUsd what the judge's calls cost at the price table's rate; {@code null} when the model has no price
 */
public record JudgeSummary(String judge, String rubricVersion, int conversations, int scored,
    Map<String, Estimate> criteria, Map<String, Integer> failures, long inputTokens, long outputTokens,
    BigDecimal costUsd) {
  /** The key of the mean of the five criteria. */
  public static final String OVERALL = "overall";

  public JudgeSummary {
    criteria = Collections.unmodifiableMap(new LinkedHashMap<>(criteria));
    failures = Collections.unmodifiableMap(new TreeMap<>(failures));
  }

  /** Conversations the judge could not score. */
  public int failed() {
    return conversations - scored;
  }

  /** The summary of these verdicts. */
  public static JudgeSummary of(String judge, String rubricVersion, List<Verdict> verdicts, Bootstrap bootstrap,
      BigDecimal costUsd) {
    List<JudgeScores> scores = verdicts.stream().map(Verdict::scores).filter(s -> s != null).toList();
    Map<String, Estimate> criteria = new LinkedHashMap<>();
    for (int c = 0; c < JudgeScores.KEYS.size(); c++) {
      int index = c;
      criteria.put(JudgeScores.KEYS.get(c), bootstrap.mean(scores.stream().mapToDouble(s -> s.values()[index])
          .toArray()));
    }
    criteria.put(OVERALL, bootstrap.mean(scores.stream().mapToDouble(JudgeScores::mean).toArray()));
    Map<String, Integer> failures = new TreeMap<>();
    for (Verdict v : verdicts) {
      if (v.failure() != null) {
        failures.merge(v.failure().replaceAll(":.*", ""), 1, Integer::sum);
      }
    }
    return new JudgeSummary(judge, rubricVersion, verdicts.size(), scores.size(), criteria, failures,
        verdicts.stream().mapToLong(Verdict::inputTokens).sum(), verdicts.stream().mapToLong(Verdict::outputTokens)
            .sum(), costUsd);
  }

  /** The summary as JSON-ready data for {@code summary.json}'s {@code judge} block. */
  public Map<String, Object> toMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("judge", judge);
    m.put("rubric_version", rubricVersion);
    m.put("conversations", conversations);
    m.put("scored", scored);
    m.put("failed", failed());
    Map<String, Object> c = new LinkedHashMap<>();
    criteria.forEach((key, e) -> c.put(key, Summary.asMap(e)));
    m.put("criteria", c);
    m.put("failures", failures);
    m.put("input_tokens", inputTokens);
    m.put("output_tokens", outputTokens);
    m.put("cost_usd", costUsd);
    return m;
  }
}
