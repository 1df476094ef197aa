package dev.subterra.training.model;

import dev.subterra.training.Backend;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A trained (or freshly initialised) student: its configuration and its weights, which never change once built.
 *
 * <p>This is the {@code Model} half of the Trainer/Model split: {@link dev.subterra.training.train.Trainer} produces
 * one, {@link dev.subterra.training.decode.Decoder} runs one. It can compute logits for whole sequences itself, which
 * is slow but simple and serves as the reference the cached decoder is tested against.
 *
 * <p>The weights file is a small binary format of its own ({@value #WEIGHTS_MAGIC}): per weight, in the order of
 * {@link TransformerGraph#weightShapes}, its name, shape and big-endian float32 values. It holds nothing but numbers, so
 * it is exact, independent of the DL4J version and cheap to hash.
 */
public final class StudentModel {

  /** The first four bytes of a weights file. */
  public static final String WEIGHTS_MAGIC = "SBTW";
  private static final int WEIGHTS_VERSION = 1;

  private final StudentConfig config;
  private final Map<String, INDArray> weights;
  private SameDiff sequenceGraph;

  private StudentModel(StudentConfig config, Map<String, INDArray> weights) {
    this.config = config;
    this.weights = weights;
  }

  /** A model with fresh weights drawn from {@code seed}. */
  public static StudentModel initialise(StudentConfig config, long seed) {
    Backend.initialise();
    return new StudentModel(config, TransformerGraph.initialWeights(config, seed));
  }

  /** A model with the given weights, which are checked against the configuration and copied. */
  public static StudentModel of(StudentConfig config, Map<String, INDArray> weights) {
    Backend.initialise();
    Map<String, long[]> shapes = TransformerGraph.weightShapes(config);
    if (!shapes.keySet().equals(weights.keySet())) {
      throw new IllegalArgumentException("Invalid weights: " + weights.keySet() + " (expected " + shapes.keySet()
          + ")");
    }
    Map<String, INDArray> copy = new LinkedHashMap<>();
    for (Map.Entry<String, long[]> e : shapes.entrySet()) {
      INDArray w = weights.get(e.getKey());
      if (!Arrays.equals(w.shape(), e.getValue())) {
        throw new IllegalArgumentException("Invalid weight " + e.getKey() + ": shape " + Arrays.toString(w.shape())
            + " (expected " + Arrays.toString(e.getValue()) + ")");
      }
      copy.put(e.getKey(), w.castTo(DataType.FLOAT).dup('c'));
    }
    return new StudentModel(config, copy);
  }

  /** The model's configuration. */
  public StudentConfig config() {
    return config;
  }

  /** A copy of every weight, by name. */
  public Map<String, INDArray> weights() {
    Map<String, INDArray> copy = new LinkedHashMap<>();
    weights.forEach((k, v) -> copy.put(k, v.dup('c')));
    return copy;
  }

  /** The number of trainable parameters. */
  public long parameterCount() {
    return weights.values().stream().mapToLong(INDArray::length).sum();
  }

  /**
   * Runs the whole-sequence graph on a batch of rows (each at most the context length, padded here), returning the
   * named outputs: {@link TransformerGraph#LOGITS} as {@code [rows * contextLength, vocabulary]} and, when asked,
   * each block's keys and values as {@code [rows, heads, contextLength, headWidth]}.
   */
  public synchronized Map<String, INDArray> runSequences(int[][] rows, List<String> outputs) {
    int length = config.contextLength();
    int[] flat = new int[rows.length * length];
    for (int r = 0; r < rows.length; r++) {
      if (rows[r].length > length) {
        throw new IllegalArgumentException("Invalid row " + r + ": " + rows[r].length + " tokens (context "
            + length + ")");
      }
      System.arraycopy(rows[r], 0, flat, r * length, rows[r].length);
    }
    if (sequenceGraph == null) {
      sequenceGraph = SameDiff.create();
      TransformerGraph.sequence(sequenceGraph, config, weights, length, false, 0.0);
    }
    INDArray tokens = Nd4j.createFromArray(flat).reshape(rows.length, length);
    return sequenceGraph.output(Map.of(TransformerGraph.TOKENS, tokens), outputs);
  }

  /** The logits at every position of one sequence, {@code [tokens.length][vocabulary]}: the reference computation. */
  public float[][] logits(int[] tokens) {
    INDArray all = runSequences(new int[][] {tokens}, List.of(TransformerGraph.LOGITS)).get(TransformerGraph.LOGITS);
    float[][] out = new float[tokens.length][];
    for (int t = 0; t < tokens.length; t++) {
      out[t] = all.getRow(t).toFloatVector();
    }
    return out;
  }

  /** Whether another model has the same configuration and bit-for-bit the same weights. */
  public boolean sameWeights(StudentModel other) {
    if (!config.equals(other.config)) {
      return false;
    }
    for (Map.Entry<String, INDArray> e : weights.entrySet()) {
      float[] mine = e.getValue().data().asFloat();
      float[] theirs = other.weights.get(e.getKey()).data().asFloat();
      if (!Arrays.equals(mine, theirs)) {
        return false;
      }
    }
    return true;
  }

  /** The SHA-256 of the weights file this model writes. */
  public String weightsHash() {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      writeWeights(weights, new OutputStream() {
        @Override
        public void write(int b) {
          digest.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
          digest.update(b, off, len);
        }
      });
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash weights: " + e.getMessage(), e);
    }
  }

  /** Writes the weights file. */
  public void saveWeights(Path file) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      writeWeights(weights, out);
    }
  }

  /** Reads a weights file written by {@link #saveWeights} into a model of the given configuration. */
  public static StudentModel load(StudentConfig config, Path weightsFile) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(weightsFile))) {
      return of(config, readWeights(in));
    }
  }

  /** Writes named weights in the weights-file format. */
  public static void writeWeights(Map<String, INDArray> weights, OutputStream stream) throws IOException {
    DataOutputStream out = new DataOutputStream(stream);
    out.writeBytes(WEIGHTS_MAGIC);
    out.writeInt(WEIGHTS_VERSION);
    out.writeInt(weights.size());
    for (Map.Entry<String, INDArray> e : weights.entrySet()) {
      out.writeUTF(e.getKey());
      long[] shape = e.getValue().shape();
      out.writeInt(shape.length);
      for (long s : shape) {
        out.writeLong(s);
      }
      float[] values = e.getValue().dup('c').data().asFloat();
      ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES);
      buffer.asFloatBuffer().put(values);
      out.write(buffer.array());
    }
    out.flush();
  }

  /** Reads named weights in the weights-file format. */
  public static Map<String, INDArray> readWeights(InputStream stream) throws IOException {
    DataInputStream in = new DataInputStream(stream);
    byte[] magic = in.readNBytes(4);
    if (!WEIGHTS_MAGIC.equals(new String(magic, java.nio.charset.StandardCharsets.US_ASCII))) {
      throw new IOException("Cannot read weights: not a weights file");
    }
    int version = in.readInt();
    if (version != WEIGHTS_VERSION) {
      throw new IOException("Cannot read weights: unknown version " + version);
    }
    int count = in.readInt();
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String name = in.readUTF();
      int rank = in.readInt();
      long[] shape = new long[rank];
      long n = 1;
      for (int r = 0; r < rank; r++) {
        shape[r] = in.readLong();
        n *= shape[r];
      }
      byte[] bytes = in.readNBytes(Math.toIntExact(n * Float.BYTES));
      if (bytes.length != n * Float.BYTES) {
        throw new IOException("Cannot read weights: " + name + " is cut short");
      }
      float[] values = new float[(int) n];
      ByteBuffer.wrap(bytes).asFloatBuffer().get(values);
      out.put(name, Nd4j.create(values, shape, 'c'));
    }
    return out;
  }

  /** The names of every weight, in file order. */
  public List<String> weightNames() {
    return new ArrayList<>(weights.keySet());
  }

  @Override
  public String toString() {
    return "StudentModel[" + config + ", parameters=" + parameterCount() + "]";
  }
}
