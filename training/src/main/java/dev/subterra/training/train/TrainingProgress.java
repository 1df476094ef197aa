package dev.subterra.training.train;

/**
 * One training step as it is reported: to the console every few steps, to the metrics file every step, and to a
 * listener, which may stop the run by throwing (tests use this to kill a run at a chosen step).
 *
 * @param step the step just taken, counted from 1
 * @param totalSteps the steps of the whole run, were it not stopped early
 * @param epoch the epoch, counted from 1
 * @param loss the batch's mean loss over its targets
 * @param learningRate the learning rate used
 * @param gradientNorm the global gradient norm before clipping
 * @param tokensPerSecond training tokens per second since the run (or its resumption) started
 * @param etaSeconds the estimated time to the last step
 */
public record TrainingProgress(
    long step,
    long totalSteps,
    int epoch,
    double loss,
    double learningRate,
    double gradientNorm,
    double tokensPerSecond,
    double etaSeconds) {

  /** One console line: step, epoch, loss, learning rate, throughput and time left. */
  @Override
  public String toString() {
    long eta = Math.round(etaSeconds);
    return String.format("step %d/%d epoch %d loss %.4f lr %.2e grad %.2f %,.0f tokens/s ETA %dm%02ds", step,
        totalSteps, epoch, loss, learningRate, gradientNorm, tokensPerSecond, eta / 60, eta % 60);
  }
}
