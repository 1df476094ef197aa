package dev.subterra.jobs.synthesize;

import java.util.Map;

/**
 * What a synthesize run produced. Rows are conserved: {@code draws == accepted + rejected}, where {@code rejected}
 * counts every stage (plan, teacher, conformance, dedup) and {@code rejectedByStage} breaks it down.
 */
public record SynthesisResult(
    String outputDir,
    String teacher,
    long draws,
    long scenarios,
    long accepted,
    long rejected,
    Map<String, Long> rejectedByStage,
    Map<String, Long> rejectedByReason,
    long trainDialogues,
    long calls,
    long cacheHits,
    long inputTokens,
    long outputTokens,
    double costUsd,
    long millis) {

  /** The share of the teacher's dialogues that followed their path. */
  public double conformanceRate() {
    long conformance = rejectedByStage.getOrDefault(SynthesizeJob.STAGE_CONFORMANCE, 0L);
    long written = accepted + rejectedByStage.getOrDefault(SynthesizeJob.STAGE_DEDUP, 0L) + conformance;
    return written == 0 ? 0.0 : 1.0 - conformance / (double) written;
  }
}
