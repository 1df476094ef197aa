package dev.subterra.training.model;

/**
 * The student's layer norm over rows of a flat array, in plain Java: {@code out = (x - mean) / std * gain + bias}
 * per row, with the mean and variance in double precision and, as libnd4j's layer norm (the SameDiff graph's,
 * {@link TransformerGraph}), no epsilon.
 *
 * <p>One definition for the kernels that run the graph's arithmetic by hand, so that they standardise exactly alike:
 * the decoding step ({@code decode.StepKernel}) uses it; the training kernel ({@link TrainingKernel}) keeps a copy of
 * the same loop (with the same float operations in the same order) that also keeps what its backward pass needs, and
 * can call {@link #forward(float[], int, int, float[], float[], float[], float[], float[])} for it.
 */
public final class LayerNorm {
  private LayerNorm() {}

  /**
   * Normalises the first {@code rows} rows of {@code in} (each {@code width} wide) into {@code out}.
   *
   * @param xhat where to keep the standardised rows {@code (x - mean) / std} for a backward pass, or null
   * @param rstd where to keep each row's inverse standard deviation for a backward pass, or null
   */
  public static void forward(float[] in, int rows, int width, float[] gain, float[] bias, float[] out, float[] xhat,
      float[] rstd) {
    for (int r = 0; r < rows; r++) {
      int base = r * width;
      double mean = 0;
      for (int j = 0; j < width; j++) {
        mean += in[base + j];
      }
      mean /= width;
      double var = 0;
      for (int j = 0; j < width; j++) {
        double z = in[base + j] - mean;
        var += z * z;
      }
      var /= width;
      float inv = (float) (1.0 / Math.sqrt(var));
      float m = (float) mean;
      if (rstd != null) {
        rstd[r] = inv;
      }
      if (xhat == null) {
        for (int j = 0; j < width; j++) {
          out[base + j] = (in[base + j] - m) * inv * gain[j] + bias[j];
        }
      } else {
        for (int j = 0; j < width; j++) {
          float z = (in[base + j] - m) * inv;
          xhat[base + j] = z;
          out[base + j] = z * gain[j] + bias[j];
        }
      }
    }
  }
}
