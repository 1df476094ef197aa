package dev.subterra.training.train;

import dev.subterra.training.Backend;
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

/** Measures raw training-step throughput; run with -Dsubterra.benchmark=true. */
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
  }
}
