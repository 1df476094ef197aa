package dev.subterra.training.train;

/**
 * How a {@link Trainer} fits a student: optimiser, schedule, batching, validation, early stopping and checkpoints.
 *
 * <p>The optimiser is AdamW (Loshchilov and Hutter 2019): Adam with weight decay applied to the weights directly
 * rather than through the gradient, and only to matrices, never to gains and biases. The learning rate rises linearly
 * over {@code warmupSteps} to {@code learningRate}, then follows a cosine down to {@code minLearningRate} at the last
 * step of the last epoch. Gradients are clipped to a global L2 norm of {@code gradientClipNorm} (0 turns clipping off).
 *
 * <p>{@link #defaults(long)} gives values that train the {@code small} preset well on a few thousand dialogues.
 *
 * @param seed the seed for the initial weights, the batch order of each epoch and dropout; recorded in provenance
 * @param epochs the most passes over the training windows
 * @param batchSize windows per step
 * @param learningRate the peak learning rate
 * @param minLearningRate the learning rate at the end of the cosine
 * @param warmupSteps steps of linear warm-up
 * @param weightDecay decoupled weight decay per step, scaled by the learning rate
 * @param beta1 Adam's first-moment decay
 * @param beta2 Adam's second-moment decay
 * @param epsilon Adam's denominator guard
 * @param gradientClipNorm the largest global gradient norm; 0 for no clipping
 * @param earlyStoppingPatience epochs without a better validation loss before training stops; 0 to never stop early
 * @param checkpointEverySteps steps between checkpoints (one is also written at the end of every epoch)
 * @param logEverySteps steps between progress lines on the console (every step goes to the metrics file)
 */
public record TrainerConfig(
    long seed,
    int epochs,
    int batchSize,
    double learningRate,
    double minLearningRate,
    int warmupSteps,
    double weightDecay,
    double beta1,
    double beta2,
    double epsilon,
    double gradientClipNorm,
    int earlyStoppingPatience,
    int checkpointEverySteps,
    int logEverySteps) {

  public TrainerConfig {
    if (epochs < 1) {
      throw new IllegalArgumentException("Invalid epochs: " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("Invalid batchSize: " + batchSize);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("Invalid learningRate: " + learningRate);
    }
    if (!(minLearningRate >= 0 && minLearningRate <= learningRate)) {
      throw new IllegalArgumentException("Invalid minLearningRate: " + minLearningRate);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("Invalid warmupSteps: " + warmupSteps);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("Invalid weightDecay: " + weightDecay);
    }
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("Invalid beta1: " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("Invalid beta2: " + beta2);
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("Invalid epsilon: " + epsilon);
    }
    if (!(gradientClipNorm >= 0)) {
      throw new IllegalArgumentException("Invalid gradientClipNorm: " + gradientClipNorm);
    }
    if (earlyStoppingPatience < 0) {
      throw new IllegalArgumentException("Invalid earlyStoppingPatience: " + earlyStoppingPatience);
    }
    if (checkpointEverySteps < 1) {
      throw new IllegalArgumentException("Invalid checkpointEverySteps: " + checkpointEverySteps);
    }
    if (logEverySteps < 1) {
      throw new IllegalArgumentException("Invalid logEverySteps: " + logEverySteps);
    }
  }

  /** Sensible values for the {@code small} preset; the seed is always the caller's. */
  public static TrainerConfig defaults(long seed) {
    return new TrainerConfig(seed, 20, 32, 3e-3, 3e-4, 100, 0.01, 0.9, 0.98, 1e-8, 1.0, 3, 200, 20);
  }

  /** A copy with another number of epochs. */
  public TrainerConfig withEpochs(int value) {
    return new TrainerConfig(seed, value, batchSize, learningRate, minLearningRate, warmupSteps, weightDecay, beta1,
        beta2, epsilon, gradientClipNorm, earlyStoppingPatience, checkpointEverySteps, logEverySteps);
  }

  /** A copy with another batch size. */
  public TrainerConfig withBatchSize(int value) {
    return new TrainerConfig(seed, epochs, value, learningRate, minLearningRate, warmupSteps, weightDecay, beta1,
        beta2, epsilon, gradientClipNorm, earlyStoppingPatience, checkpointEverySteps, logEverySteps);
  }

  /** A copy with another checkpoint interval. */
  public TrainerConfig withCheckpointEverySteps(int value) {
    return new TrainerConfig(seed, epochs, batchSize, learningRate, minLearningRate, warmupSteps, weightDecay, beta1,
        beta2, epsilon, gradientClipNorm, earlyStoppingPatience, value, logEverySteps);
  }

  /** A copy with another seed. */
  public TrainerConfig withSeed(long value) {
    return new TrainerConfig(value, epochs, batchSize, learningRate, minLearningRate, warmupSteps, weightDecay, beta1,
        beta2, epsilon, gradientClipNorm, earlyStoppingPatience, checkpointEverySteps, logEverySteps);
  }

  /** A copy with another warm-up. */
  public TrainerConfig withWarmupSteps(int value) {
    return new TrainerConfig(seed, epochs, batchSize, learningRate, minLearningRate, value, weightDecay, beta1,
        beta2, epsilon, gradientClipNorm, earlyStoppingPatience, checkpointEverySteps, logEverySteps);
  }

  /** The learning rate for a step (counted from 0) of a run of {@code totalSteps}. */
  public double learningRateAt(long step, long totalSteps) {
    if (step < warmupSteps) {
      return learningRate * (step + 1) / warmupSteps;
    }
    long decaySteps = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (double) (step - warmupSteps) / decaySteps);
    return minLearningRate + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress));
  }
}
