package dev.subterra.evaluation.judge;

/**
 * A judge's scores of one conversation on the five criteria of Dennis et al. 2026, each from 1 (worst) to 5 (best).
 *
 * @param taskSuccess whether the user's goal was reached as the procedure intends
 * @param informationAccuracy whether what the agent stated (values, facts) was right
 * @param consistency whether the agent contradicted itself or the procedure
 * @param gracefulHandling how it handled digressions, corrections and failures
 * @param naturalness how natural the agent's language was
 */
public record JudgeScores(
    int taskSuccess, int informationAccuracy, int consistency, int gracefulHandling, int naturalness) {

  /** The lowest score of a criterion. */
  public static final int MIN = 1;
  /** The highest score of a criterion. */
  public static final int MAX = 5;
  /** The criteria's keys in a judge's JSON answer and in {@code summary.json}, in order. */
  public static final java.util.List<String> KEYS = java.util.List.of("task_success", "information_accuracy",
      "consistency", "graceful_handling", "naturalness");

  public JudgeScores {
    check("taskSuccess", taskSuccess);
    check("informationAccuracy", informationAccuracy);
    check("consistency", consistency);
    check("gracefulHandling", gracefulHandling);
    check("naturalness", naturalness);
  }

  private static void check(String field, int score) {
    if (score < MIN || score > MAX) {
      throw new IllegalArgumentException("Invalid " + field + ": " + score + " (" + MIN + " to " + MAX + ")");
    }
  }

  /** The scores by {@link #KEYS}, in order. */
  public int[] values() {
    return new int[] {taskSuccess, informationAccuracy, consistency, gracefulHandling, naturalness};
  }

  /** The mean of the five scores. */
  public double mean() {
    return (taskSuccess + informationAccuracy + consistency + gracefulHandling + naturalness) / 5.0;
  }
}
