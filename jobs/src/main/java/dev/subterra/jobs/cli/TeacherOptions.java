package dev.subterra.jobs.cli;

import dev.subterra.jobs.synthesize.TeacherSpec;
import java.math.BigDecimal;
import picocli.CommandLine.Option;

/** The teacher options that {@code synthesize} and {@code compile} share. The API key never is one: see below. */
final class TeacherOptions {
  @Option(names = "--teacher", defaultValue = TeacherSpec.TEMPLATE,
      description = "template (offline, the default) or openai (any OpenAI-compatible endpoint).")
  String teacher;

  @Option(names = "--teacher-url", paramLabel = "URL", description = "Base URL of the OpenAI-compatible endpoint.")
  String teacherUrl;

  @Option(names = "--teacher-model", paramLabel = "NAME", description = "Model name at that endpoint.")
  String teacherModel;

  @Option(names = "--budget", paramLabel = "USD",
      description = "Stop new teacher calls once the spend would pass this (API key: SUBTERRA_TEACHER_API_KEY or"
          + " OPENAI_API_KEY).")
  BigDecimal budget;

  /** The teacher, with its cache in {@code cacheDir}. */
  TeacherSpec spec(String cacheDir, long seed) {
    return new TeacherSpec(teacher, teacherUrl, teacherModel, budget, 1, cacheDir, seed);
  }
}
