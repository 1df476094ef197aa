package dev.subterra.training.train;

import dev.subterra.training.Backend;
import dev.subterra.training.decode.Decoder;
import dev.subterra.training.decode.DecodingConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.StudentConfig;
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
 * {@code subterra.steps} (10), {@code subterra.vocab} (2000).
 */
@EnabledIfSystemProperty(named = "subterra.benchmark", matches = "true")
class ThroughputBenchmarkTest {

  @Test
  void trainingSteps() {
    Backend.initialise();
    String preset = System.getProperty("subterra.preset", "tiny");
    int batch = Integer.getInteger("subterra.batch", 32);
    int steps = Integer.getInteger("subterra.steps", 10);
    StudentConfig c = StudentConfig.preset(preset, Integer.getInteger("subterra.vocab", 2000));
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
    List<String> names = new ArrayList<>(w.keySet());
    sd.calculateGradientsAndOutputs(ph, List.of(TransformerGraph.LOSS), names);
    long start = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      long s0 = System.nanoTime();
      sd.calculateGradientsAndOutputs(ph, List.of(TransformerGraph.LOSS), names);
      System.out.printf("step %d: %.1f ms%n", i, (System.nanoTime() - s0) / 1e6);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("BENCH preset=%s params=%d batch=%d T=%d: %.0f training tokens/s (gradients only)%n", preset,
        c.parameterCount(), batch, t, steps * (double) batch * t / seconds);

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
    long d0 = System.nanoTime();
    int one = decoder.generate(prompts.get(0), decoding).tokens().length;
    double single = (System.nanoTime() - d0) / 1e9;
    d0 = System.nanoTime();
    int many = decoder.generate(prompts, decoding).stream().mapToInt(g -> g.tokens().length).sum();
    double batched = (System.nanoTime() - d0) / 1e9;
    d0 = System.nanoTime();
    int uncached = decoder.generateUncached(prompts.get(0), new DecodingConfig(16, 50.0, 1.0, 1)).tokens().length;
    double slow = (System.nanoTime() - d0) / 1e9;
    System.out.printf("BENCH preset=%s decode batch 1: %.0f tokens/s (%.2f ms/token); batch %d: %.0f tokens/s; "
        + "uncached batch 1: %.0f tokens/s%n", preset, one / single, 1000 * single / one, batch, many / batched,
        uncached / slow);
  }
}
