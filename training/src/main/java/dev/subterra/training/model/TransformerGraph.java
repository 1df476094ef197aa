package dev.subterra.training.model;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The student's architecture written out in SameDiff: a decoder-only transformer with pre-LayerNorm blocks, causal
 * multi-head attention written by hand, a GELU MLP and a tied or separate output head.
 *
 * <p>{@link #sequence} is a batch of whole sequences of a fixed length, giving logits for every position, the loss when
 * asked for it, and each block's keys and values. It is the reference definition: the training kernel
 * ({@code TrainingKernel}), the decoder's step kernel ({@code StepKernel}) and the DL4J layer of distributed training
 * are each held to it by tests.
 *
 * <p>Pitfalls of DL4J 1.0.0-M2.1 that shape this code: {@code sd.gather} gives no usable gradient to a trainable
 * embedding, so tokens and positions are one-hot rows multiplied by the embedding matrix; there is no causal attention
 * op, so attention is {@code mmul}, an additive {@code [T, T]} mask and {@code softmax} over the last axis; and
 * {@code logSoftmax} breaks gradients and {@code sparseSoftmaxCrossEntropy} ignores the gradient flowing into it (so
 * it cannot be masked or weighted), so the loss is a log-sum-exp written out, weighted per position.
 */
public final class TransformerGraph {

  /** Placeholder: input token ids, {@code [batch, length]}, in the sequence graph. */
  public static final String TOKENS = "tokens";
  /** Placeholder: the next token at every position, flattened to {@code [batch * length]}. */
  public static final String LABELS = "labels";
  /** Placeholder: the weight of every position in the loss, flattened; they sum to one over the batch. */
  public static final String LOSS_WEIGHTS = "loss_weights";
  /** Output: logits, {@code [batch * length, vocabulary]}. */
  public static final String LOGITS = "logits";
  /** Output: the weighted mean cross-entropy of the targets. */
  public static final String LOSS = "loss";
  /** The additive mask value that hides a position from attention. */
  static final float MASKED = -1e9f;
  private static final double INIT_STD = 0.02;

  private TransformerGraph() {}

  /** Name of a weight of block {@code i}. */
  static String block(int i, String weight) {
    return "block" + i + "_" + weight;
  }

  /** Name of block {@code i}'s keys (a sequence graph output). */
  public static String keys(int i) {
    return block(i, "keys");
  }

  /** Name of block {@code i}'s values (a sequence graph output). */
  public static String values(int i) {
    return block(i, "values");
  }

  /** Every weight's name and shape, in a fixed order (the order of initialisation and of the weights file). */
  public static Map<String, long[]> weightShapes(StudentConfig c) {
    long d = c.width();
    Map<String, long[]> shapes = new LinkedHashMap<>();
    shapes.put("token_embedding", new long[] {c.vocabularySize(), d});
    shapes.put("position_embedding", new long[] {c.contextLength(), d});
    if (c.previousTokenEmbedding()) {
      shapes.put("previous_token_embedding", new long[] {c.vocabularySize(), d});
    }
    for (int i = 0; i < c.layers(); i++) {
      shapes.put(block(i, "ln1_gain"), new long[] {d});
      shapes.put(block(i, "ln1_bias"), new long[] {d});
      shapes.put(block(i, "attn_query"), new long[] {d, d});
      shapes.put(block(i, "attn_key"), new long[] {d, d});
      shapes.put(block(i, "attn_value"), new long[] {d, d});
      shapes.put(block(i, "attn_out"), new long[] {d, d});
      shapes.put(block(i, "ln2_gain"), new long[] {d});
      shapes.put(block(i, "ln2_bias"), new long[] {d});
      shapes.put(block(i, "mlp_in"), new long[] {d, c.mlpWidth()});
      shapes.put(block(i, "mlp_in_bias"), new long[] {c.mlpWidth()});
      shapes.put(block(i, "mlp_out"), new long[] {c.mlpWidth(), d});
      shapes.put(block(i, "mlp_out_bias"), new long[] {d});
    }
    shapes.put("final_ln_gain", new long[] {d});
    shapes.put("final_ln_bias", new long[] {d});
    if (!c.tiedHead()) {
      shapes.put("head", new long[] {d, c.vocabularySize()});
    }
    return shapes;
  }

  /**
   * Fresh weights drawn from {@code seed}: normal(0, 0.02) matrices, with the projections into the residual stream
   * scaled down by {@code sqrt(2 * layers)} as in GPT-2, unit gains and zero biases. Drawn in Java, not by ND4J's
   * generator, so that they are the same on every backend.
   */
  public static Map<String, INDArray> initialWeights(StudentConfig c, long seed) {
    Random random = new Random(seed);
    Map<String, INDArray> weights = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : weightShapes(c).entrySet()) {
      String name = e.getKey();
      long[] shape = e.getValue();
      int n = (int) (shape.length == 1 ? shape[0] : shape[0] * shape[1]);
      float[] data = new float[n];
      if (name.endsWith("_gain")) {
        java.util.Arrays.fill(data, 1f);
      } else if (!name.endsWith("_bias")) {
        double std = name.endsWith("attn_out") || name.endsWith("mlp_out")
            ? INIT_STD / Math.sqrt(2.0 * c.layers()) : INIT_STD;
        for (int j = 0; j < n; j++) {
          data[j] = (float) (random.nextGaussian() * std);
        }
      }
      weights.put(name, Nd4j.create(data, shape, 'c'));
    }
    return weights;
  }

  /**
   * Adds the whole-sequence graph over {@code length} positions to {@code sd}, with the given weights as trainable
   * variables (their arrays are used as they are, not copied).
   *
   * @param withLoss whether to add the {@link #LABELS} and {@link #LOSS_WEIGHTS} placeholders and the {@link #LOSS}
   * @param dropout dropout probability after the embeddings and on each residual branch, applied through the mask
   *     placeholders named by {@link #dropoutMasks}; 0 for prediction, which adds no placeholders
   */
  public static void sequence(SameDiff sd, StudentConfig c, Map<String, INDArray> weights, int length,
      boolean withLoss, double dropout) {
    if (length < 1 || length > c.contextLength()) {
      throw new IllegalArgumentException("Invalid length: " + length + " (context " + c.contextLength() + ")");
    }
    Map<String, SDVariable> w = variables(sd, weights);
    SDVariable tokens = sd.placeHolder(TOKENS, DataType.INT, -1, length);
    SDVariable logits = logits(sd, c, w, tokens, length, dropout);

    if (withLoss) {
      SDVariable labels = sd.placeHolder(LABELS, DataType.INT, -1);
      SDVariable weightsPerPosition = sd.placeHolder(LOSS_WEIGHTS, DataType.FLOAT, -1);
      // Cross-entropy by hand, as log-sum-exp minus the label's logit: sparseSoftmaxCrossEntropy's gradient ignores
      // the gradient flowing into it, so it cannot be weighted (and a .mean() after it scales nothing).
      SDVariable max = logits.max(true, 1);
      SDVariable logSumExp = sd.math.log(sd.math.exp(logits.sub(max)).sum(true, 1)).add(max);
      SDVariable labelOneHot = sd.oneHot("label_one_hot", labels, c.vocabularySize(), -1, 1.0, 0.0, DataType.FLOAT);
      SDVariable labelLogit = logits.mul(labelOneHot).sum(true, 1);
      SDVariable perPosition = sd.reshape("cross_entropy", logSumExp.sub(labelLogit), -1);
      // The weights already sum to one, so this sum is the mean over the batch's targets.
      sd.sum(LOSS, perPosition.mul(weightsPerPosition));
      sd.setLossVariables(LOSS);
    }
  }

  /**
   * Adds the body of the whole-sequence graph to {@code sd}, from token ids to logits, over weights that are already
   * variables of {@code sd}; {@link #sequence} and the DL4J layer of {@code StudentGraph} (a {@code SameDiffLayer},
   * whose weights DL4J owns) both build on it, so the two cannot drift apart.
   *
   * @param tokens token ids, {@code [batch, length]}, of an integer type
   * @return the logits, {@code [batch * length, vocabulary]}
   */
  public static SDVariable logits(SameDiff sd, StudentConfig c, Map<String, SDVariable> w, SDVariable tokens,
      int length, double dropout) {
    int d = c.width();
    int h = c.heads();
    int dh = c.headWidth();
    SDVariable oneHot = sd.oneHot("token_one_hot", tokens, c.vocabularySize(), -1, 1.0, 0.0, DataType.FLOAT);
    SDVariable tokenEmb = sd.reshape("token_embedded",
        sd.mmul(sd.reshape(oneHot, -1, c.vocabularySize()), w.get("token_embedding")), -1, length, d);
    // Positions as one-hot rows too: a slice of the embedding would need strided-slice gradients.
    SDVariable positions = sd.constant("position_one_hot", Nd4j.eye(c.contextLength())
        .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, length),
            org.nd4j.linalg.indexing.NDArrayIndex.all()).dup().castTo(DataType.FLOAT));
    SDVariable x = tokenEmb.add("embedded", sd.mmul(positions, w.get("position_embedding")));
    if (c.previousTokenEmbedding() && length > 1) {
      // Each position's previous token, embedded: the token rows moved one position later by a constant [T, T]
      // shift (ones below the diagonal), so the first position gets none. Over [T, batch * width] the shift is one
      // product, and a product's gradient is sure where a slice's is not.
      float[] shift = new float[length * length];
      for (int t = 1; t < length; t++) {
        shift[t * length + t - 1] = 1f;
      }
      SDVariable previousRows = sd.mmul(sd.reshape(oneHot, -1, c.vocabularySize()),
          w.get("previous_token_embedding"));
      SDVariable byPosition = sd.reshape(sd.permute(sd.reshape(previousRows, -1, length, d), 1, 0, 2), length, -1);
      SDVariable shifted = sd.mmul(sd.constant("previous_shift", Nd4j.create(shift, new long[] {length, length}, 'c')),
          byPosition);
      x = x.add("embedded_with_previous", sd.permute(sd.reshape(shifted, length, -1, d), 1, 0, 2));
    }
    x = dropout(sd, x, dropout, "dropout_embedded", length, d);

    float[] mask = new float[length * length];
    for (int q = 0; q < length; q++) {
      for (int k = q + 1; k < length; k++) {
        mask[q * length + k] = MASKED;
      }
    }
    SDVariable causal = sd.constant("causal_mask", Nd4j.create(mask, new long[] {length, length}, 'c'));
    double scale = 1.0 / Math.sqrt(dh);

    for (int i = 0; i < c.layers(); i++) {
      SDVariable n1 = sd.nn.layerNorm(block(i, "ln1"), x, w.get(block(i, "ln1_gain")), w.get(block(i, "ln1_bias")),
          false, 2);
      SDVariable flat = sd.reshape(n1, -1, d);
      SDVariable q = heads(sd, flat.mmul(w.get(block(i, "attn_query"))), length, h, dh);
      SDVariable k = sd.identity(keys(i), heads(sd, flat.mmul(w.get(block(i, "attn_key"))), length, h, dh));
      SDVariable v = sd.identity(values(i), heads(sd, flat.mmul(w.get(block(i, "attn_value"))), length, h, dh));
      SDVariable scores = sd.mmul(q, k, false, true, false).mul(scale).add(block(i, "scores"), causal);
      SDVariable attention = sd.nn.softmax(block(i, "attention"), scores, 3);
      SDVariable mixed = sd.reshape(sd.permute(sd.mmul(attention, v), 0, 2, 1, 3), -1, d);
      SDVariable attended = sd.reshape(mixed.mmul(w.get(block(i, "attn_out"))), -1, length, d);
      x = x.add(block(i, "after_attention"),
          dropout(sd, attended, dropout, block(i, "dropout_attention"), length, d));

      SDVariable n2 = sd.nn.layerNorm(block(i, "ln2"), x, w.get(block(i, "ln2_gain")), w.get(block(i, "ln2_bias")),
          false, 2);
      SDVariable mlp = mlp(sd, c, w, i, sd.reshape(n2, -1, d));
      x = x.add(block(i, "after_mlp"),
          dropout(sd, sd.reshape(mlp, -1, length, d), dropout, block(i, "dropout_mlp"), length, d));
    }
    SDVariable out = sd.nn.layerNorm("final_ln", x, w.get("final_ln_gain"), w.get("final_ln_bias"), false, 2);
    return head(sd, c, w, sd.reshape(out, -1, d));
  }

  private static Map<String, SDVariable> variables(SameDiff sd, Map<String, INDArray> weights) {
    Map<String, SDVariable> w = new LinkedHashMap<>();
    for (Map.Entry<String, INDArray> e : weights.entrySet()) {
      w.put(e.getKey(), sd.var(e.getKey(), e.getValue()));
    }
    return w;
  }

  /** {@code [batch * length, width]} to {@code [batch, heads, length, headWidth]}. */
  private static SDVariable heads(SameDiff sd, SDVariable flat, int length, int h, int dh) {
    return sd.permute(sd.reshape(flat, -1, length, h, dh), 0, 2, 1, 3);
  }

  private static SDVariable mlp(SameDiff sd, StudentConfig c, Map<String, SDVariable> w, int i, SDVariable flat) {
    SDVariable hidden = sd.nn.gelu(block(i, "mlp_hidden"),
        flat.mmul(w.get(block(i, "mlp_in"))).add(w.get(block(i, "mlp_in_bias"))));
    return hidden.mmul(w.get(block(i, "mlp_out"))).add(w.get(block(i, "mlp_out_bias")));
  }

  private static SDVariable head(SameDiff sd, StudentConfig c, Map<String, SDVariable> w, SDVariable flat) {
    return c.tiedHead()
        ? sd.mmul(LOGITS, flat, w.get("token_embedding"), false, true, false)
        : sd.mmul(LOGITS, flat, w.get("head"));
  }

  /**
   * Multiplies by a mask placeholder of zeros and {@code 1 / (1 - p)}. DL4J's dropout ops have no derivative in
   * 1.0.0-M2.1 and its random ops want static shapes, so the trainer draws the masks in Java, from the seed and step.
   */
  private static SDVariable dropout(SameDiff sd, SDVariable x, double p, String mask, int length, int width) {
    return p > 0 ? x.mul(sd.placeHolder(mask, DataType.FLOAT, -1, length, width)) : x;
  }

  /** The names of the dropout mask placeholders of the sequence graph, each {@code [batch, length, width]}. */
  public static java.util.List<String> dropoutMasks(StudentConfig c) {
    java.util.List<String> names = new java.util.ArrayList<>();
    names.add("dropout_embedded");
    for (int i = 0; i < c.layers(); i++) {
      names.add(block(i, "dropout_attention"));
      names.add(block(i, "dropout_mlp"));
    }
    return names;
  }
}
