package dev.subterra.training.decode;

import dev.subterra.training.model.LayerNorm;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One decoding step of the student for a batch of conversations, in plain Java over a key/value cache: each row's
 * new token at its own position attends to that row's cached positions and itself.
 *
 * <p>It computes what {@link dev.subterra.training.model.TransformerGraph#sequence} defines, one position at a time
 * (a test holds its logits to the SameDiff graph's), without the graph interpreter: a step at batch 1 is a few
 * hundred thousand multiply-adds, less than the fixed cost of the thirty-odd native calls a graph would make. The
 * weights are copied once into Java arrays, laid out so that every product is a row-by-row {@code axpy} the JIT
 * vectorises (the tied head is kept transposed for that).
 *
 * <p>Each row's arithmetic is the same whatever else is in the batch and whether its earlier positions were cached
 * or are being run now, so cached decoding gives exactly the tokens of re-running the whole prefix, and a
 * conversation decodes to the same tokens alone or in a batch. Rows are split over two threads when there are many.
 */
final class StepKernel {
  /** The previous token of the first position, which has none. */
  static final int NONE = -1;

  private final StudentConfig c;
  private final int d;
  private final int heads;
  private final int dh;
  private final int f;
  private final int vocabulary;
  private final int context;
  private final float scale;
  private final float[] tokenEmbedding;
  private final float[] positionEmbedding;
  /** The previous-token embedding, or {@code null} for a model without one. */
  private final float[] previousEmbedding;
  private final float[][] ln1Gain;
  private final float[][] ln1Bias;
  private final float[][] query;
  private final float[][] key;
  private final float[][] value;
  private final float[][] out;
  private final float[][] ln2Gain;
  private final float[][] ln2Bias;
  private final float[][] mlpIn;
  private final float[][] mlpInBias;
  private final float[][] mlpOut;
  private final float[][] mlpOutBias;
  private final float[] finalGain;
  private final float[] finalBias;
  /** {@code [width, vocabulary]}: the head, or the transposed token embedding when tied. */
  private final float[] head;

  StepKernel(StudentModel model) {
    c = model.config();
    d = c.width();
    heads = c.heads();
    dh = c.headWidth();
    f = c.mlpWidth();
    vocabulary = c.vocabularySize();
    context = c.contextLength();
    scale = (float) (1.0 / Math.sqrt(dh));
    Map<String, INDArray> w = model.weights();
    tokenEmbedding = w.get("token_embedding").data().asFloat();
    positionEmbedding = w.get("position_embedding").data().asFloat();
    previousEmbedding = c.previousTokenEmbedding() ? w.get("previous_token_embedding").data().asFloat() : null;
    int layers = c.layers();
    ln1Gain = new float[layers][];
    ln1Bias = new float[layers][];
    query = new float[layers][];
    key = new float[layers][];
    value = new float[layers][];
    out = new float[layers][];
    ln2Gain = new float[layers][];
    ln2Bias = new float[layers][];
    mlpIn = new float[layers][];
    mlpInBias = new float[layers][];
    mlpOut = new float[layers][];
    mlpOutBias = new float[layers][];
    for (int i = 0; i < layers; i++) {
      String b = "block" + i + "_";
      ln1Gain[i] = w.get(b + "ln1_gain").data().asFloat();
      ln1Bias[i] = w.get(b + "ln1_bias").data().asFloat();
      query[i] = w.get(b + "attn_query").data().asFloat();
      key[i] = w.get(b + "attn_key").data().asFloat();
      value[i] = w.get(b + "attn_value").data().asFloat();
      out[i] = w.get(b + "attn_out").data().asFloat();
      ln2Gain[i] = w.get(b + "ln2_gain").data().asFloat();
      ln2Bias[i] = w.get(b + "ln2_bias").data().asFloat();
      mlpIn[i] = w.get(b + "mlp_in").data().asFloat();
      mlpInBias[i] = w.get(b + "mlp_in_bias").data().asFloat();
      mlpOut[i] = w.get(b + "mlp_out").data().asFloat();
      mlpOutBias[i] = w.get(b + "mlp_out_bias").data().asFloat();
    }
    finalGain = w.get("final_ln_gain").data().asFloat();
    finalBias = w.get("final_ln_bias").data().asFloat();
    if (c.tiedHead()) {
      head = new float[d * vocabulary];
      for (int v = 0; v < vocabulary; v++) {
        for (int j = 0; j < d; j++) {
          head[j * vocabulary + v] = tokenEmbedding[v * d + j];
        }
      }
    } else {
      head = w.get("head").data().asFloat();
    }
  }

  /** The keys and values of {@code rows} conversations, {@code [layer][row][position][width]}. */
  final class Cache {
    final float[][][] keys;
    final float[][][] values;

    Cache(int rows) {
      keys = new float[c.layers()][rows][context * d];
      values = new float[c.layers()][rows][context * d];
    }

    /** A batch over conversations' own caches, each {@code [layer][position * width]}: no copy is made. */
    Cache(List<float[][]> rowKeys, List<float[][]> rowValues) {
      int rows = rowKeys.size();
      keys = new float[c.layers()][rows][];
      values = new float[c.layers()][rows][];
      for (int i = 0; i < c.layers(); i++) {
        for (int r = 0; r < rows; r++) {
          keys[i][r] = rowKeys.get(r)[i];
          values[i][r] = rowValues.get(r)[i];
        }
      }
    }

    int rows() {
      return keys[0].length;
    }
  }

  Cache newCache(int rows) {
    return new Cache(rows);
  }

  /** One conversation's empty keys or values, {@code [layer][position * width]}, for {@link #batchOf}. */
  float[][] newRowCache() {
    return new float[c.layers()][context * d];
  }

  /** A batch over conversations' own caches (from {@link #newRowCache}), in the order given. */
  Cache batchOf(List<float[][]> rowKeys, List<float[][]> rowValues) {
    return new Cache(rowKeys, rowValues);
  }

  /** Runs every prompt's tokens but its last through the kernel, one position at a time, filling the cache. */
  void prefill(Cache cache, List<int[]> prompts) {
    int rows = prompts.size();
    int longest = 0;
    for (int[] p : prompts) {
      longest = Math.max(longest, p.length - 1);
    }
    int[] tokens = new int[rows];
    int[] previous = new int[rows];
    int[] positions = new int[rows];
    boolean[] live = new boolean[rows];
    for (int t = 0; t < longest; t++) {
      for (int r = 0; r < rows; r++) {
        int[] p = prompts.get(r);
        live[r] = t < p.length - 1;
        tokens[r] = live[r] ? p[t] : 0;
        previous[r] = live[r] && t > 0 ? p[t - 1] : NONE;
        positions[r] = t;
      }
      step(cache, tokens, previous, positions, live, null);
    }
  }

  /**
   * Runs each active row's token at that row's position, storing its keys and values in the cache there.
   *
   * @param previous each row's token at the position before, or {@link #NONE} at the first position
   * @param logits {@code [rows * vocabulary]}, written for active rows; {@code null} to skip the head (prefill)
   */
  void step(Cache cache, int[] tokens, int[] previous, int[] positions, boolean[] active, float[] logits) {
    int rows = cache.rows();
    int[] live = IntStream.range(0, rows).filter(r -> active[r]).toArray();
    for (int r : live) {
      if (tokens[r] < 0 || tokens[r] >= vocabulary) {
        throw new IllegalArgumentException("Invalid token: " + tokens[r]);
      }
      if (positions[r] < 0 || positions[r] >= context) {
        throw new IllegalArgumentException("Invalid position: " + positions[r] + " (context " + context + ")");
      }
      if (previous[r] < NONE || previous[r] >= vocabulary || (previous[r] == NONE) != (positions[r] == 0)) {
        throw new IllegalArgumentException("Invalid previous token: " + previous[r] + " at position " + positions[r]);
      }
    }
    if (live.length >= 8) {
      int half = live.length / 2;
      IntStream.range(0, 2).parallel().forEach(part -> rows(cache, part == 0
          ? java.util.Arrays.copyOfRange(live, 0, half) : java.util.Arrays.copyOfRange(live, half, live.length),
          tokens, previous, positions, logits));
    } else if (live.length > 0) {
      rows(cache, live, tokens, previous, positions, logits);
    }
  }

  /**
   * The step for some rows together: every product walks the weight matrix once for all of them (row by row of the
   * matrix, then row by row of the batch), and each row's arithmetic is the same as if it were alone.
   */
  private void rows(Cache cache, int[] live, int[] tokens, int[] previous, int[] positions, float[] logits) {
    int count = live.length;
    float[] x = new float[count * d];
    float[] n = new float[count * d];
    float[] q = new float[count * d];
    float[] k = new float[count * d];
    float[] v = new float[count * d];
    float[] mixed = new float[count * d];
    float[] hidden = new float[count * f];
    float[] scores = new float[context];
    for (int a = 0; a < count; a++) {
      int token = tokens[live[a]];
      int p = positions[live[a]];
      for (int j = 0; j < d; j++) {
        x[a * d + j] = tokenEmbedding[token * d + j] + positionEmbedding[p * d + j];
      }
      if (previousEmbedding != null && previous[live[a]] != NONE) {
        int before = previous[live[a]] * d;
        for (int j = 0; j < d; j++) {
          x[a * d + j] += previousEmbedding[before + j];
        }
      }
    }
    for (int i = 0; i < c.layers(); i++) {
      layerNorm(x, count, ln1Gain[i], ln1Bias[i], n);
      java.util.Arrays.fill(q, 0f);
      java.util.Arrays.fill(k, 0f);
      java.util.Arrays.fill(v, 0f);
      product(n, count, d, query[i], d, q);
      product(n, count, d, key[i], d, k);
      product(n, count, d, value[i], d, v);
      java.util.Arrays.fill(mixed, 0f);
      for (int a = 0; a < count; a++) {
        int r = live[a];
        int p = positions[r];
        float[] keys = cache.keys[i][r];
        float[] values = cache.values[i][r];
        System.arraycopy(k, a * d, keys, p * d, d);
        System.arraycopy(v, a * d, values, p * d, d);
        for (int h = 0; h < heads; h++) {
          int o = h * dh;
          float max = Float.NEGATIVE_INFINITY;
          for (int t = 0; t <= p; t++) {
            float s = 0;
            for (int j = 0; j < dh; j++) {
              s += q[a * d + o + j] * keys[t * d + o + j];
            }
            s *= scale;
            scores[t] = s;
            max = Math.max(max, s);
          }
          float total = 0;
          for (int t = 0; t <= p; t++) {
            float e = (float) Math.exp(scores[t] - max);
            scores[t] = e;
            total += e;
          }
          float inv = 1f / total;
          for (int t = 0; t <= p; t++) {
            float w = scores[t] * inv;
            int base = t * d + o;
            for (int j = 0; j < dh; j++) {
              mixed[a * d + o + j] += w * values[base + j];
            }
          }
        }
      }
      product(mixed, count, d, out[i], d, x); // the residual: adds to x
      layerNorm(x, count, ln2Gain[i], ln2Bias[i], n);
      for (int a = 0; a < count; a++) {
        System.arraycopy(mlpInBias[i], 0, hidden, a * f, f);
      }
      product(n, count, d, mlpIn[i], f, hidden);
      for (int j = 0; j < hidden.length; j++) {
        float z = hidden[j];
        hidden[j] = z / (1f + (float) Math.exp(-1.702f * z));
      }
      float[] mlp = new float[count * d];
      for (int a = 0; a < count; a++) {
        System.arraycopy(mlpOutBias[i], 0, mlp, a * d, d);
      }
      product(hidden, count, f, mlpOut[i], d, mlp);
      for (int j = 0; j < x.length; j++) {
        x[j] += mlp[j];
      }
    }
    if (logits == null) {
      return;
    }
    layerNorm(x, count, finalGain, finalBias, n);
    float[] rowLogits = new float[count * vocabulary];
    product(n, count, d, head, vocabulary, rowLogits);
    for (int a = 0; a < count; a++) {
      System.arraycopy(rowLogits, a * vocabulary, logits, live[a] * vocabulary, vocabulary);
    }
  }

  /**
   * {@code y += in · W} for {@code count} rows of {@code inWidth} and a row-major {@code [inWidth, width]} matrix:
   * each row of the matrix is used for every row of the batch while it is in cache.
   */
  private static void product(float[] in, int count, int inWidth, float[] w, int width, float[] y) {
    for (int kk = 0; kk < inWidth; kk++) {
      int base = kk * width;
      for (int a = 0; a < count; a++) {
        float s = in[a * inWidth + kk];
        int o = a * width;
        for (int j = 0; j < width; j++) {
          y[o + j] += s * w[base + j];
        }
      }
    }
  }

  private void layerNorm(float[] in, int count, float[] gain, float[] bias, float[] outRows) {
    LayerNorm.forward(in, count, d, gain, bias, outRows, null, null);
  }
}
