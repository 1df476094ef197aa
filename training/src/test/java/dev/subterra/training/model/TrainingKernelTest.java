package dev.subterra.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The hand-written pass against its reference definition, SameDiff's graph and autodiff, on the same weights. */
class TrainingKernelTest {

  /**
   * How far the pass may be from SameDiff: each array's largest difference, relative to that array's largest
   * magnitude. Both compute in float32 with different summation orders; a wrong formula is off by far more.
   */
  private static final double RELATIVE_TOLERANCE = 2e-3;

  @Test
  void lossAndEveryGradientMatchSameDiff() {
    compare(new StudentConfig(2, 32, 4, 16, 60, 0.0, true), 3, 12);
  }

  @Test
  void untiedHeadAndDropoutMatchToo() {
    compare(new StudentConfig(2, 32, 2, 16, 50, 0.2, false), 2, 16);
  }

  @Test
  void thePreviousTokenEmbeddingMatchesToo() {
    compare(new StudentConfig(2, 32, 4, 16, 60, 0.1, true, true), 3, 12);
  }

  @Test
  void rejectsBatchesOfAnotherShape() {
    StudentConfig c = new StudentConfig(1, 32, 2, 16, 50, 0.0, true);
    TrainingKernel kernel = new TrainingKernel(c, 2, 8);
    assertThatThrownBy(() -> kernel.logits(TransformerGraph.initialWeights(c, 1), new int[15], null))
        .hasMessage("Invalid tokens: 15 (expected 16)");
    assertThatThrownBy(() -> new TrainingKernel(c, 2, 17)).hasMessage("Invalid length: 17 (context 16)");
  }

  private static void compare(StudentConfig c, int rows, int length) {
    StudentModel.initialise(c, 1); // loads the backend
    Map<String, INDArray> weights = TransformerGraph.initialWeights(c, 7);
    // Untrained gains and biases are ones and zeros, which would hide a mistake in their use: perturb them.
    Random random = new Random(3);
    weights.forEach((name, w) -> {
      if (w.rank() == 1) {
        for (long i = 0; i < w.length(); i++) {
          w.putScalar(i, w.getFloat(i) + 0.3f * (float) random.nextGaussian());
        }
      }
    });
    int n = rows * length;
    int[] tokens = new int[n];
    int[] labels = new int[n];
    float[] lossWeights = new float[n];
    int targets = 0;
    for (int i = 0; i < n; i++) {
      tokens[i] = random.nextInt(c.vocabularySize());
      labels[i] = random.nextInt(c.vocabularySize());
      if (random.nextInt(3) > 0) {
        lossWeights[i] = 1;
        targets++;
      }
    }
    for (int i = 0; i < n; i++) {
      lossWeights[i] /= targets;
    }
    float[][] masks = null;
    Map<String, INDArray> placeholders = new HashMap<>();
    placeholders.put(TransformerGraph.TOKENS, Nd4j.createFromArray(tokens).reshape(rows, length));
    placeholders.put(TransformerGraph.LABELS, Nd4j.createFromArray(labels));
    placeholders.put(TransformerGraph.LOSS_WEIGHTS, Nd4j.createFromArray(lossWeights));
    if (c.dropout() > 0) {
      List<String> names = TransformerGraph.dropoutMasks(c);
      masks = new float[names.size()][];
      for (int m = 0; m < masks.length; m++) {
        masks[m] = new float[n * c.width()];
        for (int i = 0; i < masks[m].length; i++) {
          masks[m][i] = random.nextDouble() < c.dropout() ? 0f : (float) (1 / (1 - c.dropout()));
        }
        placeholders.put(names.get(m), Nd4j.create(masks[m], new long[] {rows, length, c.width()}, 'c'));
      }
    }

    SameDiff sd = SameDiff.create();
    Map<String, INDArray> graphWeights = new HashMap<>();
    weights.forEach((k, v) -> graphWeights.put(k, v.dup()));
    TransformerGraph.sequence(sd, c, new java.util.LinkedHashMap<>(graphWeights), length, true, c.dropout());
    List<String> names = new ArrayList<>(weights.keySet());
    OutAndGrad reference = sd.calculateGradientsAndOutputs(placeholders,
        List.of(TransformerGraph.LOSS, TransformerGraph.LOGITS), names);

    // One shard, and two (uneven when rows are odd) on one thread and on two: each matches SameDiff, and the
    // sharded pass gives bit-identical results whatever the thread count.
    Map<String, float[]> firstSharded = null;
    double firstShardedLoss = 0;
    for (int[] setup : new int[][] {{1, 1}, {2, 1}, {2, 2}}) {
      String as = setup[0] + " shards on " + setup[1] + " threads: ";
      TrainingKernel kernel = new TrainingKernel(c, rows, length, setup[0], setup[1]);
      float[] logits = kernel.logits(weights, tokens, masks).dup().data().asFloat();
      assertClose(as + "logits", logits, reference.getOutputs().get(TransformerGraph.LOGITS).data().asFloat());
      Map<String, INDArray> gradients = kernel.newGradients();
      double loss = kernel.lossAndGradients(weights, tokens, labels, lossWeights, masks, gradients);
      assertThat(loss).as(as + "loss").isCloseTo(reference.getOutputs().get(TransformerGraph.LOSS).getDouble(0),
          org.assertj.core.api.Assertions.within(1e-4));
      for (String name : names) {
        assertClose(as + name, gradients.get(name).data().asFloat(),
            reference.getGradients().get(name).data().asFloat());
      }
      if (setup[0] == 2) {
        Map<String, float[]> values = new HashMap<>();
        gradients.forEach((name, g) -> values.put(name, g.data().asFloat()));
        if (firstSharded == null) {
          firstSharded = values;
          firstShardedLoss = loss;
        } else {
          assertThat(loss).as(as + "loss, against one thread").isEqualTo(firstShardedLoss);
          for (String name : names) {
            assertThat(values.get(name)).as(as + name + ", against one thread").isEqualTo(firstSharded.get(name));
          }
        }
      }
    }
  }

  private static void assertClose(String name, float[] actual, float[] expected) {
    assertThat(actual).as(name).hasSameSizeAs(expected);
    double largest = 0;
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      largest = Math.max(largest, Math.abs(expected[i]));
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    }
    assertThat(largest).as(name + " is all zeros").isGreaterThan(0);
    assertThat(worst / largest).as(name + ": largest difference " + worst + " of " + largest)
        .isLessThan(RELATIVE_TOLERANCE);
  }
}
