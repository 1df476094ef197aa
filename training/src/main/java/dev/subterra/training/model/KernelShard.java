package dev.subterra.training.model;

import java.nio.FloatBuffer;
import java.util.Map;
import java.util.stream.IntStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One shard of {@link TrainingKernel}: the student's forward and backward pass written out by hand for a fixed
 * batch shape, with its own activation and scratch buffers.
 *
 * <p>It computes exactly the function {@link TransformerGraph#sequence} defines, but differently:
 *
 * <ul>
 *   <li>every matrix product is one BLAS call ({@code Nd4j.gemm}, or {@code Nd4j.matmul} batched over rows and heads
 *       for attention) into a buffer allocated once and reused every step;
 *   <li>embeddings are row look-ups and their gradients scatter-adds, not products with one-hot matrices;
 *   <li>layer norm, GELU, the causal softmax and the cross-entropy run as tight Java loops over whole rows, each
 *       fusing what the graph does in several ops, and the softmax skips the masked half of every score row.
 * </ul>
 *
 * <p>The loss weights it takes are the whole batch's (each position's share of the batch's mean), so the losses and
 * gradients of the shards of one batch add up to the batch's. Not thread-safe: each shard runs on one thread at a
 * time, and different shards may run at once.
 */
final class KernelShard {

  private final StudentConfig c;
  private final int rows;
  private final int length;
  private final int n;
  private final int d;
  private final int heads;
  private final int dh;
  private final int f;
  private final int vocabulary;
  private final float scale;

  // Activations kept for the backward pass, per layer.
  private final INDArray[] n1;
  private final float[][] xhat1;
  private final float[][] rstd1;
  private final INDArray[] qh;
  private final INDArray[] kh;
  private final INDArray[] vh;
  private final INDArray[] probs;
  private final INDArray[] mixed;
  private final INDArray[] n2;
  private final float[][] xhat2;
  private final float[][] rstd2;
  private final float[][] hiddenPre;
  private final float[][] sigmoid;
  private final INDArray[] hidden;
  private final INDArray nf;
  private final float[] xhatF;
  private final float[] rstdF;
  private final INDArray logits;

  // Scratch, reused.
  private final float[] x;
  private final float[] dx;
  private final INDArray nd;
  private final INDArray nd2;
  private final INDArray nfWide;
  private final INDArray headsA;
  private final INDArray headsB;
  private final INDArray headsC;
  private final INDArray scores;
  private final float[] heapNd;
  private final float[] heapNd2;
  private final float[] heapWide;
  private final float[] heapScores;
  private final float[] heapProbs;
  private final float[] heapNd3;
  private final float[] heapWide3;
  private final float[] heapQkv;
  private final INDArray[] qkv;
  private final INDArray wide3;
  private final INDArray qkvGrad;

  private int[] tokens;
  private int[] lastTargets;
  private INDArray headIn;
  private INDArray headOut;
  private final INDArray headInBuffer;
  private final INDArray headGradBuffer;
  private long productNanos;
  private long attentionNanos;
  private long totalNanos;

  private final boolean parallelLoops;

  /**
   * A pass for batches of {@code rows} sequences of {@code length} positions; {@code parallelLoops} splits the
   * softmax and cross-entropy loops over two threads (for a shard that has the machine to itself).
   */
  KernelShard(StudentConfig config, int rows, int length, boolean parallelLoops) {
    if (rows < 1) {
      throw new IllegalArgumentException("Invalid rows: " + rows);
    }
    if (length < 1 || length > config.contextLength()) {
      throw new IllegalArgumentException("Invalid length: " + length + " (context " + config.contextLength() + ")");
    }
    this.c = config;
    this.parallelLoops = parallelLoops;
    this.rows = rows;
    this.length = length;
    this.n = rows * length;
    this.d = config.width();
    this.heads = config.heads();
    this.dh = config.headWidth();
    this.f = config.mlpWidth();
    this.vocabulary = config.vocabularySize();
    this.scale = (float) (1.0 / Math.sqrt(dh));
    int layers = config.layers();
    n1 = new INDArray[layers];
    xhat1 = new float[layers][];
    rstd1 = new float[layers][];
    qh = new INDArray[layers];
    kh = new INDArray[layers];
    vh = new INDArray[layers];
    probs = new INDArray[layers];
    mixed = new INDArray[layers];
    n2 = new INDArray[layers];
    xhat2 = new float[layers][];
    rstd2 = new float[layers][];
    hiddenPre = new float[layers][];
    sigmoid = new float[layers][];
    hidden = new INDArray[layers];
    int rh = rows * heads;
    for (int i = 0; i < layers; i++) {
      n1[i] = matrix(n, d);
      xhat1[i] = new float[n * d];
      rstd1[i] = new float[n];
      qh[i] = Nd4j.create(DataType.FLOAT, rh, length, dh);
      kh[i] = Nd4j.create(DataType.FLOAT, rh, length, dh);
      vh[i] = Nd4j.create(DataType.FLOAT, rh, length, dh);
      probs[i] = Nd4j.create(DataType.FLOAT, rh, length, length);
      mixed[i] = matrix(n, d);
      n2[i] = matrix(n, d);
      xhat2[i] = new float[n * d];
      rstd2[i] = new float[n];
      hiddenPre[i] = new float[n * f];
      sigmoid[i] = new float[n * f];
      hidden[i] = matrix(n, f);
    }
    nf = matrix(n, d);
    xhatF = new float[n * d];
    rstdF = new float[n];
    logits = matrix(n, vocabulary);
    headInBuffer = matrix(n, d);
    headGradBuffer = matrix(n, d);
    x = new float[n * d];
    dx = new float[n * d];
    nd = matrix(n, d);
    nd2 = matrix(n, d);
    nfWide = matrix(n, f);
    headsA = Nd4j.create(DataType.FLOAT, rh, length, dh);
    headsB = Nd4j.create(DataType.FLOAT, rh, length, dh);
    headsC = Nd4j.create(DataType.FLOAT, rh, length, dh);
    scores = Nd4j.create(DataType.FLOAT, rh, length, length);
    heapNd = new float[n * d];
    heapNd2 = new float[n * d];
    heapWide = new float[n * f];
    heapScores = new float[rh * length * length];
    heapProbs = new float[rh * length * length];
    heapNd3 = new float[n * d];
    heapWide3 = new float[n * 3 * d];
    heapQkv = new float[d * 3 * d];
    qkv = new INDArray[layers];
    for (int i = 0; i < layers; i++) {
      qkv[i] = matrix(d, 3 * d);
    }
    wide3 = matrix(n, 3 * d);
    qkvGrad = matrix(d, 3 * d);
  }

  /** The model configuration this pass computes. */
  StudentConfig config() {
    return c;
  }

  /** The batch rows this pass takes. */
  int rows() {
    return rows;
  }

  /** The positions per row this pass takes. */
  int length() {
    return length;
  }

  /**
   * Runs the forward pass only and returns the logits, {@code [rows * length, vocabulary]}; the array is this pass's
   * own buffer, overwritten by the next call.
   *
   * @param tokens {@code rows * length} token ids, row-major
   * @param masks dropout masks in the order of {@link TransformerGraph#dropoutMasks}, each {@code rows * length *
   *     width}, or {@code null} for none
   */
  INDArray logits(Map<String, INDArray> weights, int[] tokens, float[][] masks) {
    long start = System.nanoTime();
    forward(weights, tokens, masks, null);
    totalNanos += System.nanoTime() - start;
    return logits;
  }

  /**
   * Runs forward and backward; returns the weighted cross-entropy and writes every weight's gradient into
   * {@code gradients} (overwritten, not accumulated).
   *
   * @param labels the next token at every position
   * @param lossWeights every position's weight in the loss (zero where there is no target)
   */
  double lossAndGradients(Map<String, INDArray> weights, int[] tokens, int[] labels, float[] lossWeights,
      float[][] masks, Map<String, INDArray> gradients) {
    long start = System.nanoTime();
    if (labels.length != n || lossWeights.length != n) {
      throw new IllegalArgumentException("Invalid labels or loss weights: " + labels.length + ", "
          + lossWeights.length + " (expected " + n + ")");
    }
    int[] targets = IntStream.range(0, n).filter(r -> lossWeights[r] != 0f).toArray();
    lastTargets = targets;
    forward(weights, tokens, masks, targets);
    double loss = crossEntropy(targets, labels, lossWeights);
    backward(weights, masks, gradients);
    totalNanos += System.nanoTime() - start;
    return loss;
  }

  private void forward(Map<String, INDArray> w, int[] tokens, float[][] masks, int[] targets) {
    if (tokens.length != n) {
      throw new IllegalArgumentException("Invalid tokens: " + tokens.length + " (expected " + n + ")");
    }
    this.tokens = tokens;
    float[] tok = heap(w.get("token_embedding"));
    float[] pos = heap(w.get("position_embedding"));
    float[] prev = c.previousTokenEmbedding() ? heap(w.get("previous_token_embedding")) : null;
    for (int r = 0; r < n; r++) {
      int id = tokens[r];
      if (id < 0 || id >= vocabulary) {
        throw new IllegalArgumentException("Invalid token: " + id + " at " + r);
      }
      int t = r % length;
      for (int j = 0; j < d; j++) {
        x[r * d + j] = tok[id * d + j] + pos[t * d + j];
      }
      if (prev != null && t > 0) {
        int before = tokens[r - 1] * d;
        for (int j = 0; j < d; j++) {
          x[r * d + j] += prev[before + j];
        }
      }
    }
    applyMask(x, masks, 0);
    for (int i = 0; i < c.layers(); i++) {
      layerNorm(x, heap(w.get(TransformerGraph.block(i, "ln1_gain"))),
          heap(w.get(TransformerGraph.block(i, "ln1_bias"))), xhat1[i], rstd1[i], n1[i]);
      // Queries, keys and values in one product with the three weights side by side, [width, 3 width].
      pack(w, i, qkv[i]);
      gemm(n1[i], qkv[i], wide3, false, false, 0);
      toHeads3(wide3, qh[i], kh[i], vh[i]);
      bmm(qh[i], kh[i], scores, false, true, false);
      causalSoftmax(scores, probs[i]);
      bmm(probs[i], vh[i], headsA, false, false, false);
      fromHeads(headsA, mixed[i]);
      gemm(mixed[i], w.get(TransformerGraph.block(i, "attn_out")), nd, false, false, 0);
      addResidual(x, nd, masks, 1 + 2 * i);

      layerNorm(x, heap(w.get(TransformerGraph.block(i, "ln2_gain"))),
          heap(w.get(TransformerGraph.block(i, "ln2_bias"))), xhat2[i], rstd2[i], n2[i]);
      gemm(n2[i], w.get(TransformerGraph.block(i, "mlp_in")), nfWide, false, false, 0);
      geluForward(nfWide, heap(w.get(TransformerGraph.block(i, "mlp_in_bias"))), hiddenPre[i], sigmoid[i],
          hidden[i]);
      gemm(hidden[i], w.get(TransformerGraph.block(i, "mlp_out")), nd, false, false, 0);
      addBias(nd, heap(w.get(TransformerGraph.block(i, "mlp_out_bias"))));
      addResidual(x, nd, masks, 2 + 2 * i);
    }
    layerNorm(x, heap(w.get("final_ln_gain")), heap(w.get("final_ln_bias")), xhatF, rstdF, nf);
    headIn = nf;
    headOut = logits;
    if (targets != null && targets.length < n) {
      // Only positions with a target reach the loss: the head, the widest product, runs on those rows alone.
      float[] all = heapNd;
      get(nf, all);
      float[] picked = heapNd2;
      for (int m = 0; m < targets.length; m++) {
        System.arraycopy(all, targets[m] * d, picked, m * d, d);
      }
      int rowsKept = Math.max(1, targets.length);
      headIn = Nd4j.create(headInBuffer.data(), new long[] {rowsKept, d});
      headIn.data().asNioFloat().put(0, picked, 0, rowsKept * d);
      headOut = Nd4j.create(logits.data(), new long[] {rowsKept, vocabulary});
    }
    if (c.tiedHead()) {
      gemm(headIn, w.get("token_embedding"), headOut, false, true, 0);
    } else {
      gemm(headIn, w.get("head"), headOut, false, false, 0);
    }
  }

  /**
   * The loss; leaves the gradient of the loss with respect to the logits in the logits buffer.
   *
   * <p>The widest pass of the step ({@code targets x vocabulary}, 8 million exponentials at the benchmark's shape):
   * the row maxima, the shift, the exponentials, the row sums and the scaling run as native ops over the whole
   * buffer, four times faster than a Java loop; each is elementwise or per row, so their results do not depend on
   * the number of native threads.
   */
  private double crossEntropy(int[] targets, int[] labels, float[] lossWeights) {
    FloatBuffer buffer = headOut.data().asNioFloat();
    int v = vocabulary;
    int count = targets.length;
    if (count == 0) {
      buffer.put(0, new float[v]);
      return 0;
    }
    float[] labelLogits = new float[count];
    for (int m = 0; m < count; m++) {
      labelLogits[m] = buffer.get(m * v + labels[targets[m]]);
    }
    INDArray maxima = headOut.max(1);
    headOut.subiColumnVector(maxima.reshape(count, 1));
    Nd4j.exec(new Exp(headOut, headOut));
    float[] totals = headOut.sum(1).data().asFloat();
    float[] max = maxima.data().asFloat();
    float[] factors = new float[count];
    double loss = 0;
    for (int m = 0; m < count; m++) {
      float weight = lossWeights[targets[m]];
      // Log-sum-exp minus the label's logit, as the graph writes it.
      loss += weight * (Math.log(totals[m]) + max[m] - labelLogits[m]);
      factors[m] = (float) (weight / totals[m]);
    }
    headOut.muliColumnVector(Nd4j.createFromArray(factors).reshape(count, 1));
    for (int m = 0; m < count; m++) {
      int at = m * v + labels[targets[m]];
      buffer.put(at, buffer.get(at) - lossWeights[targets[m]]);
    }
    return loss;
  }

  private void backward(Map<String, INDArray> w, float[][] masks, Map<String, INDArray> g) {
    // Head: logits = nf E^T (tied) or nf Head.
    boolean compact = headIn != nf;
    INDArray headGrad = compact ? Nd4j.create(headGradBuffer.data(), headIn.shape()) : nd;
    if (c.tiedHead()) {
      gemm(headOut, headIn, g.get("token_embedding"), true, false, 0);
      gemm(headOut, w.get("token_embedding"), headGrad, false, false, 0);
    } else {
      gemm(headIn, headOut, g.get("head"), true, false, 0);
      gemm(headOut, w.get("head"), headGrad, false, true, 0);
      g.get("token_embedding").assign(0);
    }
    if (compact) {
      float[] picked = heapNd2;
      get(headGrad, picked);
      float[] all = heapNd;
      java.util.Arrays.fill(all, 0f);
      for (int m = 0; m < lastTargets.length; m++) {
        System.arraycopy(picked, m * d, all, lastTargets[m] * d, d);
      }
      put(nd, all);
    }
    java.util.Arrays.fill(dx, 0f);
    layerNormBackward(nd, heap(w.get("final_ln_gain")), xhatF, rstdF, dx, g.get("final_ln_gain"),
        g.get("final_ln_bias"));
    for (int i = c.layers() - 1; i >= 0; i--) {
      // MLP branch.
      put(nd, maskedCopy(dx, masks, 2 + 2 * i));
      columnSums(nd, g.get(TransformerGraph.block(i, "mlp_out_bias")));
      gemm(hidden[i], nd, g.get(TransformerGraph.block(i, "mlp_out")), true, false, 0);
      gemm(nd, w.get(TransformerGraph.block(i, "mlp_out")), nfWide, false, true, 0);
      geluBackward(nfWide, hiddenPre[i], sigmoid[i]);
      columnSums(nfWide, g.get(TransformerGraph.block(i, "mlp_in_bias")));
      gemm(n2[i], nfWide, g.get(TransformerGraph.block(i, "mlp_in")), true, false, 0);
      gemm(nfWide, w.get(TransformerGraph.block(i, "mlp_in")), nd, false, true, 0);
      layerNormBackward(nd, heap(w.get(TransformerGraph.block(i, "ln2_gain"))), xhat2[i], rstd2[i], dx,
          g.get(TransformerGraph.block(i, "ln2_gain")), g.get(TransformerGraph.block(i, "ln2_bias")));

      // Attention branch.
      put(nd, maskedCopy(dx, masks, 1 + 2 * i));
      gemm(mixed[i], nd, g.get(TransformerGraph.block(i, "attn_out")), true, false, 0);
      gemm(nd, w.get(TransformerGraph.block(i, "attn_out")), nd2, false, true, 0);
      toHeads(nd2, headsA); // d mixed, per head
      bmm(headsA, vh[i], scores, false, true, false); // d probs
      bmm(probs[i], headsA, headsB, true, false, false); // d values
      softmaxBackward(scores, probs[i]); // d scores, scaled, in place
      bmm(scores, kh[i], headsA, false, false, false); // d queries
      bmm(scores, qh[i], headsC, true, false, false); // d keys
      fromHeads3(headsA, headsC, headsB, wide3);
      gemm(n1[i], wide3, qkvGrad, true, false, 0);
      unpack(qkvGrad, g, i);
      INDArray dn1 = n1Scratch();
      gemm(wide3, qkv[i], dn1, false, true, 0);
      layerNormBackward(dn1, heap(w.get(TransformerGraph.block(i, "ln1_gain"))), xhat1[i], rstd1[i], dx,
          g.get(TransformerGraph.block(i, "ln1_gain")), g.get(TransformerGraph.block(i, "ln1_bias")));
    }
    // Embeddings: scatter-add of the gradient at the input.
    applyMask(dx, masks, 0);
    float[] tokGrad = heap(g.get("token_embedding"));
    float[] posGrad = new float[c.contextLength() * d];
    float[] prevGrad = c.previousTokenEmbedding() ? new float[vocabulary * d] : null;
    for (int r = 0; r < n; r++) {
      int id = tokens[r];
      int t = r % length;
      int before = prevGrad != null && t > 0 ? tokens[r - 1] * d : -1;
      for (int j = 0; j < d; j++) {
        float v = dx[r * d + j];
        tokGrad[id * d + j] += v;
        posGrad[t * d + j] += v;
        if (before >= 0) {
          prevGrad[before + j] += v;
        }
      }
    }
    put(g.get("token_embedding"), tokGrad);
    put(g.get("position_embedding"), posGrad);
    if (prevGrad != null) {
      put(g.get("previous_token_embedding"), prevGrad);
    }
  }

  private INDArray dn1Scratch;

  private INDArray n1Scratch() {
    if (dn1Scratch == null) {
      dn1Scratch = matrix(n, d);
    }
    return dn1Scratch;
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Kernels.

  /** {@code out = (x - mean) / std * gain + bias} per row, keeping the standardised rows and the inverse stds. */
  private void layerNorm(float[] in, float[] gain, float[] bias, float[] xhat, float[] rstd, INDArray out) {
    float[] o = heapNd;
    for (int r = 0; r < n; r++) {
      int base = r * d;
      double mean = 0;
      for (int j = 0; j < d; j++) {
        mean += in[base + j];
      }
      mean /= d;
      double var = 0;
      for (int j = 0; j < d; j++) {
        double z = in[base + j] - mean;
        var += z * z;
      }
      var /= d;
      // libnd4j's layer norm standardises without an epsilon.
      float inv = (float) (1.0 / Math.sqrt(var));
      rstd[r] = inv;
      float m = (float) mean;
      for (int j = 0; j < d; j++) {
        float z = (in[base + j] - m) * inv;
        xhat[base + j] = z;
        o[base + j] = z * gain[j] + bias[j];
      }
    }
    put(out, o);
  }

  /** Adds the gradient at a layer norm's input to {@code dxOut}, and writes its gain and bias gradients. */
  private void layerNormBackward(INDArray dyArray, float[] gain, float[] xhat, float[] rstd, float[] dxOut,
      INDArray gainGrad, INDArray biasGrad) {
    float[] dy = heapNd2;
    get(dyArray, dy);
    float[] dg = new float[d];
    float[] db = new float[d];
    float[] dz = new float[d];
    for (int r = 0; r < n; r++) {
      int base = r * d;
      double sum = 0;
      double sumZ = 0;
      for (int j = 0; j < d; j++) {
        float g = dy[base + j];
        float z = xhat[base + j];
        dg[j] += g * z;
        db[j] += g;
        float dzj = g * gain[j];
        dz[j] = dzj;
        sum += dzj;
        sumZ += dzj * z;
      }
      float mean = (float) (sum / d);
      float meanZ = (float) (sumZ / d);
      float inv = rstd[r];
      for (int j = 0; j < d; j++) {
        dxOut[base + j] += inv * (dz[j] - mean - xhat[base + j] * meanZ);
      }
    }
    put(gainGrad, dg);
    put(biasGrad, db);
  }

  /** {@code [rows * length, width]} to {@code [rows * heads, length, headWidth]}. */
  private void toHeads(INDArray flat, INDArray split) {
    float[] src = heapNd;
    float[] dst = heapNd2;
    get(flat, src);
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < length; t++) {
        int from = (r * length + t) * d;
        for (int h = 0; h < heads; h++) {
          System.arraycopy(src, from + h * dh, dst, ((r * heads + h) * length + t) * dh, dh);
        }
      }
    }
    put(split, dst);
  }

  private static final String[] QKV = {"attn_query", "attn_key", "attn_value"};

  /** Writes layer {@code layer}'s query, key and value weights side by side into {@code out}, {@code [d, 3d]}. */
  private void pack(Map<String, INDArray> w, int layer, INDArray out) {
    float[] packed = heapQkv;
    for (int p = 0; p < 3; p++) {
      float[] part = heap(w.get(TransformerGraph.block(layer, QKV[p])));
      for (int r = 0; r < d; r++) {
        System.arraycopy(part, r * d, packed, r * 3 * d + p * d, d);
      }
    }
    put(out, packed);
  }

  /** Splits a packed {@code [d, 3d]} gradient into the query, key and value weights' gradients. */
  private void unpack(INDArray packedGrad, Map<String, INDArray> g, int layer) {
    float[] packed = heapQkv;
    get(packedGrad, packed);
    float[] part = new float[d * d];
    for (int p = 0; p < 3; p++) {
      for (int r = 0; r < d; r++) {
        System.arraycopy(packed, r * 3 * d + p * d, part, r * d, d);
      }
      put(g.get(TransformerGraph.block(layer, QKV[p])), part);
    }
  }

  /** {@code [rows * length, 3 width]} (queries, keys, values side by side) to three {@code [rows * heads, ...]}. */
  private void toHeads3(INDArray packed, INDArray q, INDArray k, INDArray v) {
    float[] src = heapWide3;
    get(packed, src);
    float[][] dst = {heapNd, heapNd2, heapNd3};
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < length; t++) {
        int from = (r * length + t) * 3 * d;
        for (int p = 0; p < 3; p++) {
          for (int h = 0; h < heads; h++) {
            System.arraycopy(src, from + p * d + h * dh, dst[p], ((r * heads + h) * length + t) * dh, dh);
          }
        }
      }
    }
    put(q, dst[0]);
    put(k, dst[1]);
    put(v, dst[2]);
  }

  /** Three {@code [rows * heads, length, headWidth]} back to one {@code [rows * length, 3 width]}. */
  private void fromHeads3(INDArray q, INDArray k, INDArray v, INDArray packed) {
    float[][] src = {heapNd, heapNd2, heapNd3};
    get(q, src[0]);
    get(k, src[1]);
    get(v, src[2]);
    float[] dst = heapWide3;
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < length; t++) {
        int to = (r * length + t) * 3 * d;
        for (int p = 0; p < 3; p++) {
          for (int h = 0; h < heads; h++) {
            System.arraycopy(src[p], ((r * heads + h) * length + t) * dh, dst, to + p * d + h * dh, dh);
          }
        }
      }
    }
    put(packed, dst);
  }

  /** {@code [rows * heads, length, headWidth]} back to {@code [rows * length, width]}. */
  private void fromHeads(INDArray split, INDArray flat) {
    float[] src = heapNd;
    float[] dst = heapNd2;
    get(split, src);
    for (int r = 0; r < rows; r++) {
      for (int t = 0; t < length; t++) {
        int to = (r * length + t) * d;
        for (int h = 0; h < heads; h++) {
          System.arraycopy(src, ((r * heads + h) * length + t) * dh, dst, to + h * dh, dh);
        }
      }
    }
    put(flat, dst);
  }

  /**
   * Softmax of every score row over the positions up to its own, scaled; the later positions get exactly 0. The
   * exponentials are one native op over the whole block (the later positions as {@code e^-inf}).
   */
  private void causalSoftmax(INDArray raw, INDArray out) {
    float[] s = heapScores;
    float[] p = heapProbs;
    get(raw, s);
    int blocks = rows * heads;
    parts(part -> {
      for (int b = part * blocks / 2; b < (part + 1) * blocks / 2; b++) {
        for (int q = 0; q < length; q++) {
          int base = (b * length + q) * length;
          float max = Float.NEGATIVE_INFINITY;
          for (int k = 0; k <= q; k++) {
            max = Math.max(max, s[base + k] * scale);
          }
          for (int k = 0; k <= q; k++) {
            p[base + k] = s[base + k] * scale - max;
          }
          for (int k = q + 1; k < length; k++) {
            p[base + k] = Float.NEGATIVE_INFINITY;
          }
        }
      }
    });
    put(out, p);
    Nd4j.exec(new Exp(out, out));
    get(out, p);
    parts(part -> {
      for (int b = part * blocks / 2; b < (part + 1) * blocks / 2; b++) {
        for (int q = 0; q < length; q++) {
          int base = (b * length + q) * length;
          float total = 0;
          for (int k = 0; k <= q; k++) {
            total += p[base + k];
          }
          float inv = 1f / total;
          for (int k = 0; k <= q; k++) {
            p[base + k] *= inv;
          }
        }
      }
    });
    put(out, p);
  }

  /** Turns the gradient at the probabilities into the gradient at the raw (unscaled) scores, in place. */
  private void softmaxBackward(INDArray gradient, INDArray probabilities) {
    float[] gr = heapScores;
    float[] p = heapProbs;
    get(gradient, gr);
    get(probabilities, p);
    int blocks = rows * heads;
    parts(part -> {
      for (int b = part * blocks / 2; b < (part + 1) * blocks / 2; b++) {
        for (int q = 0; q < length; q++) {
          int base = (b * length + q) * length;
          float dot = 0;
          for (int k = 0; k <= q; k++) {
            dot += gr[base + k] * p[base + k];
          }
          for (int k = 0; k <= q; k++) {
            gr[base + k] = p[base + k] * (gr[base + k] - dot) * scale;
          }
          for (int k = q + 1; k < length; k++) {
            gr[base + k] = 0f;
          }
        }
      }
    });
    put(gradient, gr);
  }

  /**
   * Adds the bias, keeps the pre-activation and its sigmoid, and writes {@code GELU} of it: libnd4j's
   * {@code x sigmoid(1.702 x)}.
   */
  private void geluForward(INDArray pre, float[] bias, float[] keep, float[] sigmoid, INDArray out) {
    float[] h = heapWide;
    get(pre, keep);
    for (int r = 0; r < n; r++) {
      int base = r * f;
      for (int j = 0; j < f; j++) {
        float z = keep[base + j] + bias[j];
        keep[base + j] = z;
        h[base + j] = -1.702f * z;
      }
    }
    // The exponentials as one native op over the buffer, several times faster than a Java loop.
    put(out, h);
    Nd4j.exec(new Exp(out, out));
    get(out, h);
    for (int i = 0; i < h.length; i++) {
      float sg = 1f / (1f + h[i]);
      sigmoid[i] = sg;
      h[i] = keep[i] * sg;
    }
    put(out, h);
  }

  /** Multiplies the gradient at the GELU's output by its derivative, in place, from the forward pass's sigmoids. */
  private void geluBackward(INDArray gradient, float[] pre, float[] sigmoid) {
    float[] g = heapWide;
    get(gradient, g);
    for (int i = 0; i < g.length; i++) {
      float sg = sigmoid[i];
      g[i] *= sg * (1f + 1.702f * pre[i] * (1f - sg));
    }
    put(gradient, g);
  }

  private void addBias(INDArray a, float[] bias) {
    float[] h = heapNd;
    get(a, h);
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < d; j++) {
        h[r * d + j] += bias[j];
      }
    }
    put(a, h);
  }

  private void addResidual(float[] stream, INDArray branch, float[][] masks, int mask) {
    float[] h = heapNd;
    get(branch, h);
    if (masks != null) {
      float[] m = masks[mask];
      for (int i = 0; i < h.length; i++) {
        stream[i] += h[i] * m[i];
      }
    } else {
      for (int i = 0; i < h.length; i++) {
        stream[i] += h[i];
      }
    }
  }

  private void applyMask(float[] a, float[][] masks, int mask) {
    if (masks != null) {
      float[] m = masks[mask];
      for (int i = 0; i < a.length; i++) {
        a[i] *= m[i];
      }
    }
  }

  private float[] maskedCopy(float[] a, float[][] masks, int mask) {
    float[] out = heapNd;
    if (masks == null) {
      System.arraycopy(a, 0, out, 0, a.length);
    } else {
      float[] m = masks[mask];
      for (int i = 0; i < a.length; i++) {
        out[i] = a[i] * m[i];
      }
    }
    return out;
  }

  private void columnSums(INDArray a, INDArray out) {
    int width = (int) a.size(1);
    float[] h = width == f ? heapWide : heapNd;
    get(a, h);
    float[] sums = new float[width];
    for (int r = 0; r < n; r++) {
      for (int j = 0; j < width; j++) {
        sums[j] += h[r * width + j];
      }
    }
    put(out, sums);
  }

  // ---------------------------------------------------------------------------------------------------------------
  // Plumbing.

  /** Runs {@code part} for 0 and 1, on two threads or one after the other: the parts write disjoint rows. */
  private void parts(java.util.function.IntConsumer part) {
    if (parallelLoops) {
      IntStream.range(0, 2).parallel().forEach(part);
    } else {
      part.accept(0);
      part.accept(1);
    }
  }

  private static INDArray matrix(long a, long b) {
    return Nd4j.create(DataType.FLOAT, a, b);
  }

  private void gemm(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, double beta) {
    long start = System.nanoTime();
    Nd4j.gemm(a, b, out, transA, transB, 1.0, beta);
    productNanos += System.nanoTime() - start;
  }

  private void bmm(INDArray a, INDArray b, INDArray out, boolean transA, boolean transB, boolean transOut) {
    long start = System.nanoTime();
    Nd4j.matmul(a, b, out, transA, transB, transOut);
    attentionNanos += System.nanoTime() - start;
  }

  /** The cumulative timing of every call so far. */
  TrainingKernel.Timing timing() {
    return new TrainingKernel.Timing(productNanos, attentionNanos, totalNanos);
  }

  private static float[] heap(INDArray a) {
    float[] out = new float[(int) a.length()];
    a.data().asNioFloat().get(0, out);
    return out;
  }

  private static void get(INDArray a, float[] out) {
    a.data().asNioFloat().get(0, out, 0, (int) a.length());
  }

  private static void put(INDArray a, float[] values) {
    a.data().asNioFloat().put(0, values, 0, (int) a.length());
  }
}
