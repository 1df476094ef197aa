package dev.subterra.evaluation.judge;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What the judge made of one conversation: its scores, or why it has none. A failure is data, recorded beside the
 * conversation, never a failed evaluation.
 *
 * @param scenarioId the conversation's scenario
 * @param sample the conversation's run of the scenario
 * @param scores the scores, or {@code null} when the conversation could not be scored
 * @param failure why it could not be scored, or {@code null}
 * @param attempts the judge's answers asked for (malformed answers are asked again)
 * @param inputTokens tokens the judge read over all attempts
 * @param outputTokens tokens the judge wrote over all attempts
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Verdict(String scenarioId, int sample, JudgeScores scores, String failure, int attempts,
    long inputTokens, long outputTokens) {
  public Verdict {
    if ((scores == null) == (failure == null)) {
      throw new IllegalArgumentException("Invalid verdict of " + scenarioId + ": exactly one of scores and failure");
    }
  }
}
