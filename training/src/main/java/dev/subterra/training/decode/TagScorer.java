package dev.subterra.training.decode;

import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.TransformerGraph;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Scores a fixed set of candidate tokens as the next token after each of many prompts: the student's log-probability
 * of each candidate (a log-softmax over the whole vocabulary, so scores of different prompts compare too).
 *
 * <p>This is how a student classifies without generating: the prompt ends with {@code <agent>}, the candidates are
 * node tags, and the most likely one is the student's choice of the next node, exactly the first token that
 * {@link Decoder#constrainedToTags} would pick greedily. One whole-sequence pass per batch of prompts, no cache.
 *
 * <p>Not thread-safe, like the model's sequence graph it runs.
 */
public final class TagScorer {
  private final StudentModel model;
  private final int batchSize;

  /** A scorer running {@code batchSize} prompts per pass. */
  public TagScorer(StudentModel model, int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("Invalid batchSize: " + batchSize);
    }
    this.model = model;
    this.batchSize = batchSize;
  }

  /**
   * The log-probability of each candidate token as the token after each prompt: {@code [prompts][candidates]}.
   * Every prompt must be non-empty and at most the model's context length.
   */
  public float[][] score(List<int[]> prompts, int[] candidates) {
    int vocabulary = model.config().vocabularySize();
    int length = model.config().contextLength();
    for (int c : candidates) {
      if (c < 0 || c >= vocabulary) {
        throw new IllegalArgumentException("Invalid candidate token: " + c + " (vocabulary " + vocabulary + ")");
      }
    }
    float[][] out = new float[prompts.size()][];
    for (int from = 0; from < prompts.size(); from += batchSize) {
      int to = Math.min(prompts.size(), from + batchSize);
      int[][] rows = new int[to - from][];
      for (int i = from; i < to; i++) {
        int[] prompt = prompts.get(i);
        if (prompt.length == 0 || prompt.length > length) {
          throw new IllegalArgumentException("Invalid prompt " + i + ": " + prompt.length + " tokens (1 to "
              + length + ")");
        }
        rows[i - from] = prompt;
      }
      INDArray logits = model.runSequences(rows, List.of(TransformerGraph.LOGITS)).get(TransformerGraph.LOGITS);
      for (int r = 0; r < rows.length; r++) {
        float[] row = logits.getRow((long) r * length + rows[r].length - 1).toFloatVector();
        out[from + r] = logSoftmaxAt(row, candidates);
      }
    }
    return out;
  }

  /** The index of the best candidate for each prompt (the first on a tie). */
  public int[] best(List<int[]> prompts, int[] candidates) {
    float[][] scores = score(prompts, candidates);
    int[] best = new int[scores.length];
    for (int i = 0; i < scores.length; i++) {
      int arg = 0;
      for (int c = 1; c < candidates.length; c++) {
        if (scores[i][c] > scores[i][arg]) {
          arg = c;
        }
      }
      best[i] = arg;
    }
    return best;
  }

  private static float[] logSoftmaxAt(float[] logits, int[] candidates) {
    float logZ = (float) Decoder.logSumExp(logits);
    float[] out = new float[candidates.length];
    for (int c = 0; c < candidates.length; c++) {
      out[c] = logits[candidates[c]] - logZ;
    }
    return out;
  }
}
