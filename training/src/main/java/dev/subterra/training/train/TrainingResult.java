package dev.subterra.training.train;

import dev.subterra.training.model.StudentModel;

/**
 * What a training run produced: the model with the best validation loss (the last one when there is no validation
 * data), the model after the last step, and the figures provenance records.
 *
 * @param model the model to keep: the one with the best validation loss
 * @param lastModel the model after the last step
 * @param steps optimiser steps taken
 * @param epochs epochs completed
 * @param stoppedEarly whether validation stopped the run before its last epoch
 * @param bestEpoch the epoch (from 1) whose model is {@code model}; 0 without validation data
 * @param bestValidationLoss the validation loss of {@code model}, NaN without validation data
 * @param bestNextTagAccuracy the share of validation node tags that {@code model} predicts right, NaN without them
 * @param trainingSeconds the time spent in steps and validation, over all attempts of a resumed run
 * @param tokensPerSecond training tokens (padding excluded) per second of training time
 * @param dataHash the training data's hash
 * @param method what trained the model: {@value #TRAINER} for the {@link Trainer}, or a description of the other
 *     (such as dl4j-spark's {@code SharedTrainingMaster} and its cluster)
 */
public record TrainingResult(
    StudentModel model,
    StudentModel lastModel,
    long steps,
    int epochs,
    boolean stoppedEarly,
    int bestEpoch,
    double bestValidationLoss,
    double bestNextTagAccuracy,
    double trainingSeconds,
    double tokensPerSecond,
    String dataHash,
    String method) {

  /** The {@link #method} of the {@link Trainer}. */
  public static final String TRAINER = "subterra-trainer";

  /** A result of the {@link Trainer}. */
  public TrainingResult(StudentModel model, StudentModel lastModel, long steps, int epochs, boolean stoppedEarly,
      int bestEpoch, double bestValidationLoss, double bestNextTagAccuracy, double trainingSeconds,
      double tokensPerSecond, String dataHash) {
    this(model, lastModel, steps, epochs, stoppedEarly, bestEpoch, bestValidationLoss, bestNextTagAccuracy,
        trainingSeconds, tokensPerSecond, dataHash, TRAINER);
  }
}
