package dev.subterra.training.graph;

import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.TransformerGraph;
import java.util.LinkedHashMap;
import java.util.Map;
import org.deeplearning4j.nn.conf.InputPreProcessor;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams;
import org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The student's transformer body as a DL4J {@link SameDiffLayer}: token ids in, logits out, with the weights named and
 * shaped as {@link TransformerGraph#weightShapes} names them, so they move one to one between a {@code ComputationGraph}
 * and a {@link dev.subterra.training.model.StudentModel} (DL4J's names have {@code -} for {@code _}: see
 * {@link #paramName}).
 *
 * <p>Input is recurrent, {@code [batch, 1, length]}: the token ids as floats (DL4J feeds floating-point features).
 * Output is recurrent too, {@code [batch, vocabulary, length]}, what an {@code RnnLossLayer} expects. Matrices are DL4J
 * weight parameters and gains and biases its bias parameters, so weight decay reaches only matrices, as in the
 * ordinary trainer's AdamW.
 *
 * <p>DL4J serialises a layer's configuration to JSON (a Spark job broadcasts the network that way) through the fields,
 * so the shape is kept as plain fields with a no-argument constructor, not as a {@link StudentConfig}. No dropout: its
 * masks are placeholders of the SameDiff graph, which a DL4J layer cannot feed.
 */
public class TransformerLayer extends SameDiffLayer {
  private static final long serialVersionUID = 1L;

  private int layers;
  private int width;
  private int heads;
  private int contextLength;
  private int vocabularySize;
  private boolean tiedHead;
  private boolean previousTokenEmbedding;
  private int length;
  private long seed;

  /** For DL4J's JSON deserialisation. */
  public TransformerLayer() {}

  /**
   * A layer for a model of {@code config} over sequences of {@code length} positions, initialised as
   * {@link TransformerGraph#initialWeights} draws from {@code seed}.
   */
  public TransformerLayer(StudentConfig config, int length, long seed) {
    if (length < 1 || length > config.contextLength()) {
      throw new IllegalArgumentException("Invalid length: " + length + " (context " + config.contextLength() + ")");
    }
    this.layers = config.layers();
    this.width = config.width();
    this.heads = config.heads();
    this.contextLength = config.contextLength();
    this.vocabularySize = config.vocabularySize();
    this.tiedHead = config.tiedHead();
    this.previousTokenEmbedding = config.previousTokenEmbedding();
    this.length = length;
    this.seed = seed;
  }

  /** The model's shape, without dropout (the layer never drops). */
  public StudentConfig studentConfig() {
    return new StudentConfig(layers, width, heads, contextLength, vocabularySize, 0.0, tiedHead,
        previousTokenEmbedding);
  }

  /**
   * The DL4J parameter name of a {@link TransformerGraph} weight: its name with {@code -} for {@code _}, because DL4J
   * keys a gradient as {@code layer_parameter} and takes the layer's name to be what comes before the last underscore.
   */
  public static String paramName(String weight) {
    return weight.replace('_', '-');
  }

  /** The positions of every input sequence. */
  public int sequenceLength() {
    return length;
  }

  // Getters and setters: DL4J's JSON mapper reads and writes a layer's configuration through them.

  public int getLayers() {
    return layers;
  }

  public void setLayers(int value) {
    this.layers = value;
  }

  public int getWidth() {
    return width;
  }

  public void setWidth(int value) {
    this.width = value;
  }

  public int getHeads() {
    return heads;
  }

  public void setHeads(int value) {
    this.heads = value;
  }

  public int getContextLength() {
    return contextLength;
  }

  public void setContextLength(int value) {
    this.contextLength = value;
  }

  public int getVocabularySize() {
    return vocabularySize;
  }

  public void setVocabularySize(int value) {
    this.vocabularySize = value;
  }

  public boolean isTiedHead() {
    return tiedHead;
  }

  public void setTiedHead(boolean value) {
    this.tiedHead = value;
  }

  public boolean isPreviousTokenEmbedding() {
    return previousTokenEmbedding;
  }

  public void setPreviousTokenEmbedding(boolean value) {
    this.previousTokenEmbedding = value;
  }

  public int getLength() {
    return length;
  }

  public void setLength(int value) {
    this.length = value;
  }

  public long getSeed() {
    return seed;
  }

  public void setSeed(long value) {
    this.seed = value;
  }

  @Override
  public void defineParameters(SDLayerParams params) {
    for (Map.Entry<String, long[]> e : TransformerGraph.weightShapes(studentConfig()).entrySet()) {
      if (e.getValue().length == 2) {
        params.addWeightParam(paramName(e.getKey()), e.getValue());
      } else {
        params.addBiasParam(paramName(e.getKey()), e.getValue());
      }
    }
  }

  @Override
  public void initializeParameters(Map<String, INDArray> params) {
    TransformerGraph.initialWeights(studentConfig(), seed)
        .forEach((name, value) -> params.get(paramName(name)).assign(value));
  }

  @Override
  public SDVariable defineLayer(SameDiff sd, SDVariable layerInput, Map<String, SDVariable> paramTable,
      SDVariable mask) {
    // Padding needs no mask: attention is causal, and padded positions carry no loss.
    SDVariable tokens = sd.castTo(sd.reshape(layerInput, -1, length), DataType.INT);
    Map<String, SDVariable> weights = new LinkedHashMap<>();
    for (String name : TransformerGraph.weightShapes(studentConfig()).keySet()) {
      weights.put(name, paramTable.get(paramName(name)));
    }
    SDVariable logits = TransformerGraph.logits(sd, studentConfig(), weights, tokens, length, 0.0);
    // DL4J asks every layer for the gradient with respect to its input, and token ids have none (a cast and a one-hot
    // are not differentiable): a zero term that depends on the input gives it one, of zeros.
    SDVariable zero = layerInput.mul(0.0).sum();
    return sd.permute(sd.reshape(logits, -1, length, vocabularySize), 0, 2, 1).add(zero);
  }

  @Override
  public InputType getOutputType(int layerIndex, InputType inputType) {
    return InputType.recurrent(vocabularySize, length);
  }

  @Override
  public void setNIn(InputType inputType, boolean override) {
    // The shape is fixed by the student's configuration.
  }

  @Override
  public InputPreProcessor getPreProcessorForInputType(InputType inputType) {
    return null;
  }
}
