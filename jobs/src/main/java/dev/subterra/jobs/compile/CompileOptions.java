package dev.subterra.jobs.compile;

import dev.subterra.jobs.synthesize.TeacherSpec;
import java.util.Objects;

/**
 * What a compilation does at each stage: the student preset, the training scenarios per path, the epochs (null for
 * the trainer's default, with early stopping), the fresh scenarios to evaluate on, the teacher, and one seed for every
 * stage.
 */
public record CompileOptions(String preset, int perPath, Integer epochs, int evalScenarios, TeacherSpec teacher,
    long seed) {
  public CompileOptions {
    Objects.requireNonNull(preset, "preset");
    Objects.requireNonNull(teacher, "teacher");
    if (perPath < 1) {
      throw new IllegalArgumentException("Invalid perPath: " + perPath + " (at least 1)");
    }
    if (epochs != null && epochs < 1) {
      throw new IllegalArgumentException("Invalid epochs: " + epochs + " (at least 1)");
    }
    if (evalScenarios < 1) {
      throw new IllegalArgumentException("Invalid evalScenarios: " + evalScenarios + " (at least 1)");
    }
  }

  /** The defaults of {@code subterra compile}: the small preset, 10 scenarios per path, 100 evaluation scenarios. */
  public static CompileOptions defaults(long seed) {
    return new CompileOptions("small", 10, null, 100, TeacherSpec.template(), seed);
  }
}
