package dev.subterra.training.train;

/**
 * Where a run stands, as saved in a checkpoint's {@code state.json} beside its weights and optimiser moments.
 *
 * @param format the state format version
 * @param fingerprint the hash of the trainer configuration, the model configuration and the data: a checkpoint
 *     resumes only the run that wrote it
 * @param step optimiser steps taken
 * @param epoch the current epoch, from 0
 * @param batchInEpoch batches of the current epoch already taken
 * @param bestValidationLoss the best validation loss so far, null before the first validation
 * @param bestNextTagAccuracy the next-tag accuracy at that best loss, null when unknown
 * @param bestEpoch the epoch (from 1) of the best validation loss, 0 before any
 * @param epochsWithoutImprovement epochs since the validation loss last improved
 * @param stopped whether training is over (last epoch done or stopped early)
 * @param stoppedEarly whether early stopping ended it
 * @param trainingSeconds training time so far, over all attempts
 * @param tokensSeen training tokens so far
 * @param metricsLines lines of the metrics file that belong to the run up to this point
 */
record CheckpointState(
    int format,
    String fingerprint,
    long step,
    int epoch,
    int batchInEpoch,
    Double bestValidationLoss,
    Double bestNextTagAccuracy,
    int bestEpoch,
    int epochsWithoutImprovement,
    boolean stopped,
    boolean stoppedEarly,
    double trainingSeconds,
    long tokensSeen,
    long metricsLines) {

  static final int FORMAT = 1;

  static CheckpointState fresh(String fingerprint) {
    return new CheckpointState(FORMAT, fingerprint, 0, 0, 0, null, null, 0, 0, false, false, 0, 0, 0);
  }

  /** The checkpoint's directory name; names sort in the order the checkpoints were written. */
  String directoryName() {
    return String.format("step-%09d-epoch-%04d-batch-%06d%s", step, epoch, batchInEpoch, stopped ? "-done" : "");
  }
}
