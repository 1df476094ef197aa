package dev.subterra.training.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The student's forward and backward pass written out by hand for a fixed batch shape: the fast path the trainer
 * runs instead of SameDiff's graph interpreter, data-parallel over the machine's cores within one step.
 *
 * <p>It computes exactly the function {@link TransformerGraph#sequence} defines (the reference definition; a test
 * proves the loss and every gradient agree with SameDiff's autodiff within a stated tolerance). Each batch is split
 * into a fixed number of row shards ({@link #DEFAULT_SHARDS}, whatever the thread count); each {@link KernelShard}
 * runs its rows' forward and backward pass with its own buffers, the shards on up to {@code threads} threads at
 * once, and their gradients are summed in shard order. So the weights a run learns depend on the shard count, never
 * on how many threads ran: the same seed and inputs give bit-identical gradients on one thread or two.
 *
 * <p>Why shards rather than more BLAS threads: at the student's sizes ([4,096 x 128] by [128 x 512] and smaller) a
 * second OpenBLAS thread gains nothing, and a third of a step is Java loops that BLAS threading does not touch; two
 * whole passes side by side keep both cores busy throughout. Not thread-safe: one per trainer.
 */
public final class TrainingKernel {

  /** The shards a batch is split into unless a caller says otherwise: the machines this runs on have two cores. */
  public static final int DEFAULT_SHARDS = 2;

  private static final ExecutorService POOL = Executors.newCachedThreadPool(task -> {
    Thread thread = new Thread(task, "subterra-kernel-shard");
    thread.setDaemon(true);
    return thread;
  });

  private final StudentConfig c;
  private final int rows;
  private final int length;
  private final int n;
  private final int threads;
  private final KernelShard[] shards;
  /** Every shard's first row, and {@code rows} last. */
  private final int[] firstRow;
  private final List<Map<String, INDArray>> shardGradients = new ArrayList<>();
  private INDArray logits;
  private long totalNanos;

  /**
   * A pass for batches of {@code rows} sequences of {@code length} positions, in {@link #DEFAULT_SHARDS} shards
   * (fewer when there are fewer rows) on as many threads as the machine has cores, at most one per shard.
   */
  public TrainingKernel(StudentConfig config, int rows, int length) {
    this(config, rows, length, DEFAULT_SHARDS, Runtime.getRuntime().availableProcessors());
  }

  /**
   * A pass for batches of {@code rows} sequences of {@code length} positions, split into {@code shards} row shards
   * run on at most {@code threads} threads at once. The results depend on {@code shards} (the order of the float
   * sums), not on {@code threads}.
   */
  public TrainingKernel(StudentConfig config, int rows, int length, int shards, int threads) {
    if (rows < 1) {
      throw new IllegalArgumentException("Invalid rows: " + rows);
    }
    if (length < 1 || length > config.contextLength()) {
      throw new IllegalArgumentException("Invalid length: " + length + " (context " + config.contextLength() + ")");
    }
    if (shards < 1) {
      throw new IllegalArgumentException("Invalid shards: " + shards);
    }
    if (threads < 1) {
      throw new IllegalArgumentException("Invalid threads: " + threads);
    }
    this.c = config;
    this.rows = rows;
    this.length = length;
    this.n = rows * length;
    int count = Math.min(shards, rows);
    this.threads = Math.min(threads, count);
    this.shards = new KernelShard[count];
    this.firstRow = new int[count + 1];
    for (int s = 0; s < count; s++) {
      firstRow[s] = s * rows / count;
    }
    firstRow[count] = rows;
    // A lone shard on a multi-core machine still spreads its softmax and cross-entropy loops over two threads.
    boolean parallelLoops = count == 1 && threads > 1;
    for (int s = 0; s < count; s++) {
      this.shards[s] = new KernelShard(config, firstRow[s + 1] - firstRow[s], length, parallelLoops);
    }
  }

  /** The model configuration this pass computes. */
  public StudentConfig config() {
    return c;
  }

  /** The batch rows this pass takes. */
  public int rows() {
    return rows;
  }

  /** The positions per row this pass takes. */
  public int length() {
    return length;
  }

  /** The row shards a batch is split into. */
  public int shards() {
    return shards.length;
  }

  /** Gradient arrays shaped like the weights, to pass to {@link #lossAndGradients}. */
  public Map<String, INDArray> newGradients() {
    Map<String, INDArray> out = new LinkedHashMap<>();
    TransformerGraph.weightShapes(c).forEach((name, shape) -> out.put(name, Nd4j.create(DataType.FLOAT, shape)));
    return out;
  }

  /**
   * Runs the forward pass only and returns the logits, {@code [rows * length, vocabulary]}; the array is this pass's
   * own buffer, overwritten by the next call.
   *
   * @param tokens {@code rows * length} token ids, row-major
   * @param masks dropout masks in the order of {@link TransformerGraph#dropoutMasks}, each {@code rows * length *
   *     width}, or {@code null} for none
   */
  public INDArray logits(Map<String, INDArray> weights, int[] tokens, float[][] masks) {
    long start = System.nanoTime();
    checkTokens(tokens);
    if (shards.length == 1) {
      INDArray out = shards[0].logits(weights, tokens, masks);
      totalNanos += System.nanoTime() - start;
      return out;
    }
    if (logits == null) {
      logits = Nd4j.create(DataType.FLOAT, n, c.vocabularySize());
    }
    long v = c.vocabularySize();
    run(s -> {
      INDArray part = shards[s].logits(weights, slice(tokens, s), slice(masks, s));
      long offset = (long) firstRow[s] * length * v;
      float[] values = part.data().asFloat();
      logits.data().asNioFloat().put((int) offset, values, 0, values.length);
      return 0.0;
    });
    totalNanos += System.nanoTime() - start;
    return logits;
  }

  /**
   * Runs forward and backward; returns the weighted cross-entropy and writes every weight's gradient into
   * {@code gradients} (overwritten, not accumulated).
   *
   * @param labels the next token at every position
   * @param lossWeights every position's weight in the loss (zero where there is no target); for the mean over the
   *     batch's targets, one over their count: each shard's loss and gradients are then its share of the batch's
   */
  public double lossAndGradients(Map<String, INDArray> weights, int[] tokens, int[] labels, float[] lossWeights,
      float[][] masks, Map<String, INDArray> gradients) {
    long start = System.nanoTime();
    if (labels.length != n || lossWeights.length != n) {
      throw new IllegalArgumentException("Invalid labels or loss weights: " + labels.length + ", "
          + lossWeights.length + " (expected " + n + ")");
    }
    checkTokens(tokens);
    if (shards.length == 1) {
      double loss = shards[0].lossAndGradients(weights, tokens, labels, lossWeights, masks, gradients);
      totalNanos += System.nanoTime() - start;
      return loss;
    }
    while (shardGradients.size() < shards.length) {
      shardGradients.add(shardGradients.isEmpty() ? null : newGradients());
    }
    double[] losses = run(s -> shards[s].lossAndGradients(weights, slice(tokens, s), slice(labels, s),
        slice(lossWeights, s), slice(masks, s), s == 0 ? gradients : shardGradients.get(s)));
    // The shards' sums in shard order, so that the result does not depend on which thread finished first.
    double loss = losses[0];
    for (int s = 1; s < shards.length; s++) {
      loss += losses[s];
      Map<String, INDArray> part = shardGradients.get(s);
      gradients.forEach((name, g) -> g.addi(part.get(name)));
    }
    totalNanos += System.nanoTime() - start;
    return loss;
  }

  private interface ShardTask {
    double apply(int shard);
  }

  /** Runs {@code task} for every shard, on up to {@code threads} threads (this one included); results by shard. */
  private double[] run(ShardTask task) {
    double[] out = new double[shards.length];
    List<Future<?>> running = new ArrayList<>();
    // Shards are dealt round-robin: this thread runs shards 0, threads, 2 threads...; pool thread k the others.
    for (int t = 1; t < threads; t++) {
      int first = t;
      running.add(POOL.submit(() -> {
        for (int s = first; s < shards.length; s += threads) {
          out[s] = task.apply(s);
        }
      }));
    }
    RuntimeException failure = null;
    try {
      for (int s = 0; s < shards.length; s += threads) {
        out[s] = task.apply(s);
      }
    } catch (RuntimeException e) {
      failure = e;
    }
    for (Future<?> future : running) {
      try {
        future.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("Cannot finish a training step: interrupted", e);
      } catch (ExecutionException e) {
        if (failure == null) {
          failure = e.getCause() instanceof RuntimeException r ? r
              : new IllegalStateException("Cannot finish a training step: " + e.getCause(), e.getCause());
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    return out;
  }

  private void checkTokens(int[] tokens) {
    if (tokens.length != n) {
      throw new IllegalArgumentException("Invalid tokens: " + tokens.length + " (expected " + n + ")");
    }
    for (int r = 0; r < n; r++) {
      if (tokens[r] < 0 || tokens[r] >= c.vocabularySize()) {
        throw new IllegalArgumentException("Invalid token: " + tokens[r] + " at " + r);
      }
    }
  }

  private int[] slice(int[] a, int shard) {
    return Arrays.copyOfRange(a, firstRow[shard] * length, firstRow[shard + 1] * length);
  }

  private float[] slice(float[] a, int shard) {
    return Arrays.copyOfRange(a, firstRow[shard] * length, firstRow[shard + 1] * length);
  }

  private float[][] slice(float[][] masks, int shard) {
    if (masks == null) {
      return null;
    }
    int d = c.width();
    float[][] out = new float[masks.length][];
    for (int m = 0; m < masks.length; m++) {
      out[m] = Arrays.copyOfRange(masks[m], firstRow[shard] * length * d, firstRow[shard + 1] * length * d);
    }
    return out;
  }

  /**
   * Where this pass's time went since it was made: nanoseconds in the dense products ({@code Nd4j.gemm}), in the
   * batched attention products ({@code Nd4j.matmul}), and in all (the rest is the Java loops and copies).
   */
  public record Timing(long productNanos, long attentionNanos, long totalNanos) {}

  /**
   * The cumulative {@link Timing} of every call so far: the products summed over the shards and divided by the
   * threads that ran them side by side, against this pass's wall-clock total.
   */
  public Timing timing() {
    long products = 0;
    long attention = 0;
    for (KernelShard shard : shards) {
      products += shard.timing().productNanos();
      attention += shard.timing().attentionNanos();
    }
    return new Timing(products / threads, attention / threads, totalNanos);
  }
}
