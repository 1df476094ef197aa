package dev.subterra.training.graph;

import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.TransformerGraph;
import dev.subterra.training.serial.TokenSequence;
import dev.subterra.training.tokenizer.SpecialToken;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.training.train.TrainingData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.GradientNormalization;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.RnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.lossfunctions.impl.LossSparseMCXENT;
import org.nd4j.linalg.schedule.MapSchedule;
import org.nd4j.linalg.schedule.ScheduleType;

/**
 * The student as a DL4J {@link ComputationGraph}: input {@value #INPUT} (token ids, {@code [batch, 1, length]}), the
 * {@link TransformerLayer} {@value #BODY}, and {@value #LOSS}, an {@link RnnLossLayer} with a softmax and sparse
 * cross-entropy whose label mask keeps the loss to agent turns. This is the form that dl4j-spark trains; its weights
 * move to and from a {@link dev.subterra.training.model.StudentModel} by name.
 *
 * <p>The optimisation is DL4J's, set up to come as close to the ordinary trainer's {@link TrainerConfig} as DL4J
 * allows: Adam with the same betas and epsilon, the same warm-up and cosine learning rate as a per-iteration map,
 * weight decay on matrices only, applied outside the gradient and scaled by the learning rate (DL4J's
 * {@code WeightDecay}, which is AdamW's decoupled decay), and the gradient clipped to the L2 norm (per layer, which for
 * the one body layer is the norm over all of the transformer's weights). What differs: the loss is DL4J's, the sum of
 * the target tokens' cross-entropy divided by the rows of the batch rather than by its targets (a scale Adam does not
 * see), and a DL4J updater's state is its own.
 */
public final class StudentGraph {
  /** The graph's input: token ids as floats, {@code [batch, 1, length]}. */
  public static final String INPUT = "tokens";
  /** The transformer body layer. */
  public static final String BODY = "transformer";
  /** The loss layer. */
  public static final String LOSS = "loss";

  private StudentGraph() {}

  /** The sequence length the graph is built for: as long as the longest window needs, at most the context. */
  public static int length(StudentConfig model, TrainingData data) {
    return Math.max(1, Math.min(model.contextLength(), data.longestWindow() - 1));
  }

  /**
   * The configuration of a graph over {@code length} positions, its weights drawn from the trainer's seed, its
   * learning rate following the trainer's schedule over {@code totalSteps} iterations.
   */
  public static ComputationGraphConfiguration configuration(StudentConfig model, int length, TrainerConfig trainer,
      long totalSteps) {
    if (totalSteps < 1 || totalSteps > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("Invalid totalSteps: " + totalSteps);
    }
    Map<Integer, Double> rates = new LinkedHashMap<>();
    for (int step = 0; step < totalSteps; step++) {
      rates.put(step, trainer.learningRateAt(step, totalSteps));
    }
    Adam adam = new Adam(new MapSchedule(ScheduleType.ITERATION, rates));
    adam.setBeta1(trainer.beta1());
    adam.setBeta2(trainer.beta2());
    adam.setEpsilon(trainer.epsilon());
    NeuralNetConfiguration.Builder builder = new NeuralNetConfiguration.Builder()
        .seed(trainer.seed())
        .dataType(DataType.FLOAT)
        .updater(adam)
        .weightDecay(trainer.weightDecay(), true);
    if (trainer.gradientClipNorm() > 0) {
      builder.gradientNormalization(GradientNormalization.ClipL2PerLayer)
          .gradientNormalizationThreshold(trainer.gradientClipNorm());
    }
    return builder.graphBuilder()
        .addInputs(INPUT)
        .setInputTypes(InputType.recurrent(1, length))
        .addLayer(BODY, new TransformerLayer(model, length, trainer.seed()), INPUT)
        .addLayer(LOSS, new RnnLossLayer.Builder(new LossSparseMCXENT()).activation(Activation.SOFTMAX).build(), BODY)
        .setOutputs(LOSS)
        .build();
  }

  /** A new, initialised graph of {@code configuration}. */
  public static ComputationGraph network(ComputationGraphConfiguration configuration) {
    ComputationGraph graph = new ComputationGraph(configuration);
    graph.init();
    return graph;
  }

  /** A copy of the graph's transformer weights, named and ordered as {@link TransformerGraph#weightShapes}. */
  public static Map<String, INDArray> weights(ComputationGraph graph) {
    TransformerLayer body = body(graph);
    Map<String, INDArray> table = graph.getLayer(BODY).paramTable();
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : TransformerGraph.weightShapes(body.studentConfig()).entrySet()) {
      INDArray w = table.get(TransformerLayer.paramName(e.getKey()));
      if (w == null || !Arrays.equals(w.shape(), e.getValue())) {
        throw new IllegalStateException("Cannot export weight " + e.getKey() + ": the graph holds "
            + (w == null ? "none" : Arrays.toString(w.shape())));
      }
      out.put(e.getKey(), w.castTo(DataType.FLOAT).dup('c'));
    }
    return out;
  }

  /** Replaces the graph's transformer weights with {@code weights} (named as {@link TransformerGraph} names them). */
  public static void setWeights(ComputationGraph graph, Map<String, INDArray> weights) {
    Map<String, INDArray> table = graph.getLayer(BODY).paramTable();
    for (Map.Entry<String, long[]> e : TransformerGraph.weightShapes(body(graph).studentConfig()).entrySet()) {
      INDArray w = weights.get(e.getKey());
      if (w == null) {
        throw new IllegalArgumentException("Invalid weights: no " + e.getKey());
      }
      table.get(TransformerLayer.paramName(e.getKey())).assign(w);
    }
  }

  /** The graph's body layer configuration. */
  public static TransformerLayer body(ComputationGraph graph) {
    return (TransformerLayer) graph.getConfiguration().getVertices().entrySet().stream()
        .filter(e -> e.getKey().equals(BODY)).findFirst()
        .map(e -> ((org.deeplearning4j.nn.conf.graph.LayerVertex) e.getValue()).getLayerConf().getLayer())
        .orElseThrow(() -> new IllegalArgumentException("Invalid graph: no layer " + BODY));
  }

  /**
   * One minibatch: the windows' tokens as features, the next token at every position as labels (class indices, for
   * the sparse cross-entropy) and a label mask that is 1 where the next token is an agent's. Windows are cut or padded
   * to {@code length}.
   */
  public static DataSet batch(List<TokenSequence> windows, int length) {
    int rows = windows.size();
    float[] tokens = new float[rows * length];
    float[] labels = new float[rows * length];
    float[] mask = new float[rows * length];
    Arrays.fill(tokens, SpecialToken.PAD.id());
    Arrays.fill(labels, SpecialToken.PAD.id());
    for (int r = 0; r < rows; r++) {
      TokenSequence w = windows.get(r);
      for (int t = 0; t + 1 < w.length() && t < length; t++) {
        tokens[r * length + t] = w.token(t);
        labels[r * length + t] = w.token(t + 1);
        mask[r * length + t] = w.isTarget(t + 1) ? 1f : 0f;
      }
    }
    return new DataSet(Nd4j.create(tokens, new long[] {rows, 1, length}, 'c'),
        Nd4j.create(labels, new long[] {rows, 1, length}, 'c'), null,
        Nd4j.create(mask, new long[] {rows, length}, 'c'));
  }

  /** The windows in order, cut into minibatches of {@code batchSize} (the last one may be shorter). */
  public static List<DataSet> batches(List<TokenSequence> windows, int batchSize, int length) {
    List<DataSet> out = new ArrayList<>();
    for (int from = 0; from < windows.size(); from += batchSize) {
      out.add(batch(windows.subList(from, Math.min(windows.size(), from + batchSize)), length));
    }
    return out;
  }
}
