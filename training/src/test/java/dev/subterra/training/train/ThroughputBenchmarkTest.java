package dev.subterra.training.train;

import dev.subterra.training.Backend;
import dev.subterra.training.decode.Decoder;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.TrainingKernel;
import dev.subterra.training.model.TransformerGraph;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Measures training and decoding throughput of a preset on random tokens; skipped unless
 * {@code -Dsubterra.benchmark=true}. Other knobs: {@code subterra.preset} (tiny), {@code subterra.batch} (32),
 * {@code subterra.steps} (10), {@code subterra.warmup} (2, untimed steps before them), {@code subterra.vocab} (2000), {@code subterra.context} (the preset's; 128 gives the
 * PyTorch comparison's shape with {@code small}), {@code subterra.graphSteps} (3, SameDiff steps for the ratio; 0 to
 * skip), {@code subterra.shards} (the kernel's row shards, 2) and {@code subterra.kernelThreads} (the threads that run
 * them, the machine's cores), {@code subterra.decode} (true; false skips the decoding figures).
 */
@EnabledIfSystemProperty(named = "subterra.benchmark", matches = "true")
class ThroughputBenchmarkTest {

  @Test
  void trainingSteps() {
    Backend.initialise();
    String preset = System.getProperty("subterra.preset", "tiny");
    int batch = Integer.getInteger("subterra.batch", 32);
    int steps = Integer.getInteger("subterra.steps", 10);
    StudentConfig p = StudentConfig.preset(preset, Integer.getInteger("subterra.vocab", 2000));
    StudentConfig c = new StudentConfig(p.layers(), p.width(), p.heads(),
        Integer.getInteger("subterra.context", p.contextLength()), p.vocabularySize(), p.dropout(), p.tiedHead());
    int t = c.contextLength();
    Map<String, INDArray> w = TransformerGraph.initialWeights(c, 1);
    SameDiff sd = SameDiff.create();
    TransformerGraph.sequence(sd, c, w, t, true, 0.0);
    Random r = new Random(1);
    int[] tokens = new int[batch * t];
    int[] labels = new int[batch * t];
    float[] lw = new float[batch * t];
    for (int i = 0; i < tokens.length; i++) {
      tokens[i] = r.nextInt(c.vocabularySize());
      labels[i] = r.nextInt(c.vocabularySize());
      lw[i] = 1f / tokens.length;
    }
    Map<String, INDArray> ph = Map.of(TransformerGraph.TOKENS, Nd4j.createFromArray(tokens).reshape(batch, t),
        TransformerGraph.LABELS, Nd4j.createFromArray(labels), TransformerGraph.LOSS_WEIGHTS,
        Nd4j.createFromArray(lw));
    // The fast path first, so that its peak resident memory is read before SameDiff's graph exists.
    TrainerConfig trainer = TrainerConfig.defaults(1);
    Map<String, INDArray> weights = TransformerGraph.initialWeights(c, 1);
    Map<String, INDArray> m = zerosLike(weights);
    Map<String, INDArray> v = zerosLike(weights);
    int shards = Integer.getInteger("subterra.shards", TrainingKernel.DEFAULT_SHARDS);
    int kernelThreads = Integer.getInteger("subterra.kernelThreads", Runtime.getRuntime().availableProcessors());
    TrainingKernel kernel = new TrainingKernel(c, batch, t, shards, kernelThreads);
    Map<String, INDArray> gradients = kernel.newGradients();
    // Warm-up steps, untimed: the JIT compiles the kernel's loops during the first few.
    for (int i = 0; i < Integer.getInteger("subterra.warmup", 2); i++) {
      kernel.lossAndGradients(weights, tokens, labels, lw, null, gradients);
    }
    long[] phases = new long[2];
    long cpuStart = processCpuNanos();
    long start = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      long s0 = System.nanoTime();
      kernel.lossAndGradients(weights, tokens, labels, lw, null, gradients);
      long s1 = System.nanoTime();
      Trainer.adamW(trainer, weights, m, v, gradients, i + 1, 1e-3);
      phases[0] += s1 - s0;
      phases[1] += System.nanoTime() - s1;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpuSeconds = (processCpuNanos() - cpuStart) / 1e9;
    double fast = steps * (double) batch * t / seconds;
    TrainingKernel.Timing timing = kernel.timing();
    System.out.printf("BENCH preset=%s kernel time: dense products %.0f%%, attention products %.0f%%, Java loops and "
        + "copies %.0f%%%n", preset, 100.0 * timing.productNanos() / timing.totalNanos(),
        100.0 * timing.attentionNanos() / timing.totalNanos(),
        100.0 * (timing.totalNanos() - timing.productNanos() - timing.attentionNanos()) / timing.totalNanos());
    System.out.printf("BENCH preset=%s params=%d batch=%d T=%d OMP_NUM_THREADS=%s shards=%d kernelThreads=%d: kernel %.0f training tokens/s "
        + "(%.0f ms/step: forward+backward %.0f ms, AdamW %.0f ms), peak RSS %d MiB%n", preset, c.parameterCount(),
        batch, t, System.getenv("OMP_NUM_THREADS"), kernel.shards(), kernelThreads, fast, 1000 * seconds / steps, phases[0] / 1e6 / steps,
        phases[1] / 1e6 / steps, peakRssMiB());
    // CPU time is what a loaded machine does not distort much: tokens per CPU-second of the whole process.
    System.out.printf("BENCH preset=%s process CPU %.1f s over %.1f s wall (%.2f cores busy): %.0f training tokens per "
        + "CPU-second%n", preset, cpuSeconds, seconds, cpuSeconds / seconds, steps * (double) batch * t / cpuSeconds);

    List<String> names = new ArrayList<>(w.keySet());
    int graphSteps = Integer.getInteger("subterra.graphSteps", 3);
    if (graphSteps > 0) {
      sd.calculateGradientsAndOutputs(ph, List.of(TransformerGraph.LOSS), names);
      long g0 = System.nanoTime();
      for (int i = 0; i < graphSteps; i++) {
        sd.calculateGradientsAndOutputs(ph, List.of(TransformerGraph.LOSS), names);
      }
      double graph = graphSteps * (double) batch * t / ((System.nanoTime() - g0) / 1e9);
      System.out.printf("BENCH preset=%s SameDiff graph %.0f training tokens/s (gradients only); kernel/graph %.2fx%n",
          preset, graph, fast / graph);
    }

    if (!Boolean.parseBoolean(System.getProperty("subterra.decode", "true"))) {
      return;
    }
    StudentModel model = StudentModel.of(c, w);
    Decoder decoder = new Decoder(model);
    int promptLength = t / 4;
    int newTokens = t / 2;
    DecodingConfig decoding = new DecodingConfig(newTokens, 50.0, 1.0, 1);
    List<int[]> prompts = new ArrayList<>();
    for (int i = 0; i < batch; i++) {
      int[] prompt = new int[promptLength];
      for (int k = 0; k < promptLength; k++) {
        prompt[k] = 9 + r.nextInt(c.vocabularySize() - 9);
      }
      prompts.add(prompt);
    }
    decoder.generate(prompts.get(0), decoding);
    decoder.generate(prompts, decoding);
    long d0 = System.nanoTime();
    int one = decoder.generate(prompts.get(0), decoding).tokens().length;
    double single = (System.nanoTime() - d0) / 1e9;
    d0 = System.nanoTime();
    int many = decoder.generate(prompts, decoding).stream().mapToInt(g -> g.tokens().length).sum();
    double batched = (System.nanoTime() - d0) / 1e9;
    DecodingConfig shortRun = new DecodingConfig(16, 50.0, 1.0, 1);
    d0 = System.nanoTime();
    int uncached = decoder.generateUncached(prompts.get(0), shortRun).tokens().length;
    double slow = (System.nanoTime() - d0) / 1e9;
    d0 = System.nanoTime();
    int uncachedMany = 0;
    for (int[] prompt : prompts) {
      uncachedMany += decoder.generateUncached(prompt, shortRun).tokens().length;
    }
    double slowMany = (System.nanoTime() - d0) / 1e9;
    System.out.printf("BENCH preset=%s decode cached batch 1: %.0f tokens/s (%.2f ms/token); cached batch %d: %.0f "
        + "tokens/s; uncached batch 1: %.0f tokens/s (%.2f ms/token); uncached %d conversations: %.0f tokens/s%n",
        preset, one / single, 1000 * single / one, batch, many / batched, uncached / slow, 1000 * slow / uncached,
        batch, uncachedMany / slowMany);
  }

  private static Map<String, INDArray> zerosLike(Map<String, INDArray> weights) {
    Map<String, INDArray> out = new java.util.LinkedHashMap<>();
    weights.forEach((k, a) -> out.put(k, Nd4j.zerosLike(a)));
    return out;
  }

  /** The CPU time of every thread of this process so far, in nanoseconds. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** The process's peak resident set (VmHWM), in MiB. */
  private static long peakRssMiB() {
    try {
      for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (java.io.IOException e) {
      return -1;
    }
    return -1;
  }
}
