package dev.subterra.jobs.compile;

import dev.subterra.jobs.synthesize.TeacherSpec;
import java.util.Objects;

/**
 * What a compilation does at each stage: the student preset, the training scenarios per path, the epochs (null for
 * the trainer's default, with early stopping), the fresh scenarios to evaluate on, the teacher, and one seed for every
 * stage; and the training partitions of distributed training (0 trains on the driver, the default).
 */
public record CompileOptions(String preset, int perPath, Integer epochs, int evalScenarios, TeacherSpec teacher,
    long seed, int distributedWorkers) {
  /**
   * Epochs of a default compile: the cosine schedule spans them. Next-tag accuracy on travel-booking levels off at
   * 0.97 after three, but copying values into calls goes on improving (path fidelity 0.05 after three epochs, 0.14
   * after six: docs/benchmarks.md); four fit the ten-minute budget on two cores.
   */
  public static final int DEFAULT_EPOCHS = 4;
  /**
   * {@code evalScenarios} for one fresh scenario on every path: evaluation plays one per path and keeps at most
   * {@code evalScenarios} of them, so no cap keeps them all.
   */
  public static final int EVERY_PATH = Integer.MAX_VALUE;

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
    if (distributedWorkers < 0) {
      throw new IllegalArgumentException("Invalid distributedWorkers: " + distributedWorkers);
    }
  }

  /** Options that train on the driver. */
  public CompileOptions(String preset, int perPath, Integer epochs, int evalScenarios, TeacherSpec teacher,
      long seed) {
    this(preset, perPath, epochs, evalScenarios, teacher, seed, 0);
  }

  /** A copy that trains with dl4j-spark's SharedTrainingMaster on {@code workers} partitions (0: on the driver). */
  public CompileOptions withDistributedWorkers(int workers) {
    return new CompileOptions(preset, perPath, epochs, evalScenarios, teacher, seed, workers);
  }

  /**
   * The defaults of {@code subterra compile}, its {@link CompileProfile#DEFAULT} profile: the small preset for
   * {@link #DEFAULT_EPOCHS} epochs, 10 scenarios per path, 100 evaluation scenarios. Sized so that travel-booking
   * compiles in under ten minutes on two cores.
   */
  public static CompileOptions defaults(long seed) {
    return CompileProfile.DEFAULT.resolve(null, null, null, null, TeacherSpec.template(), seed);
  }
}
