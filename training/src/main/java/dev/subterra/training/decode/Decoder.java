package dev.subterra.training.decode;

import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.TransformerGraph;
import dev.subterra.training.tokenizer.SpecialToken;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Writes the student's next turn for one or many conversations, with a key/value cache.
 *
 * <p>A batch of prompts is first run through the model's whole-sequence graph, up to but not including each prompt's
 * last token; the keys and values it returns fill the cache. From then on the one-token step graph (same weights,
 * see {@link TransformerGraph#step}) takes each conversation's latest token at its own position, attends to that
 * conversation's cached positions only, and returns the next token's logits and the keys and values to append. So each
 * new token costs one pass over one position instead of a pass over the whole prefix.
 *
 * <p>Each conversation stops at the end-of-turn token, at {@link DecodingConfig#maxNewTokens()}, or when it fills the
 * context. Conversations of a batch are independent: the same prompt gives the same tokens alone or in a batch, apart
 * from float rounding of batched arithmetic. {@link #generateUncached} re-runs the whole prefix per token; it is the
 * reference the cache is tested against, and the baseline of the benchmarks.
 *
 * <p>Constrained tag decoding: a decoder made with {@link #constrainedToTags} picks the first token of each turn
 * among the workflow's node tags only (by likelihood, or by sampling among them), so the student never names a node
 * that does not exist; {@link Generation#firstTokenConstrained()} says where that overrode the model's own choice.
 *
 * <p>Not thread-safe: use one decoder per thread.
 */
public final class Decoder {

  private static final float MASKED = -1e9f;

  private final StudentModel model;
  private final StudentConfig config;
  private final SameDiff stepGraph;
  private final List<String> stepOutputs;
  private final boolean[] allowedFirst;

  /** A decoder for one model, free to write any token. */
  public Decoder(StudentModel model) {
    this(model, null);
  }

  /** A decoder whose turns start with one of the tokenizer's node tags. */
  public static Decoder constrainedToTags(StudentModel model, dev.subterra.training.tokenizer.BpeTokenizer tokenizer) {
    if (tokenizer.nodeIds().isEmpty()) {
      throw new IllegalArgumentException("Invalid tokenizer: it has no node tags to constrain to");
    }
    boolean[] allowed = new boolean[model.config().vocabularySize()];
    for (String nodeId : tokenizer.nodeIds()) {
      allowed[tokenizer.nodeTagId(nodeId)] = true;
    }
    return new Decoder(model, allowed);
  }

  private Decoder(StudentModel model, boolean[] allowedFirst) {
    this.allowedFirst = allowedFirst;
    this.model = model;
    this.config = model.config();
    this.stepGraph = model.newStepGraph();
    List<String> outputs = new ArrayList<>();
    outputs.add(TransformerGraph.LOGITS);
    for (int i = 0; i < config.layers(); i++) {
      outputs.add(TransformerGraph.newKeys(i));
      outputs.add(TransformerGraph.newValues(i));
    }
    this.stepOutputs = List.copyOf(outputs);
  }

  /** The next turn for one conversation. */
  public Generation generate(int[] prompt, DecodingConfig decoding) {
    return generate(List.of(prompt), decoding).get(0);
  }

  /** The next turn for each conversation, decoded together. */
  public List<Generation> generate(List<int[]> prompts, DecodingConfig decoding) {
    int rows = prompts.size();
    int context = config.contextLength();
    for (int[] p : prompts) {
      if (p.length < 2 || p.length > context) {
        throw new IllegalArgumentException("Invalid prompt: " + p.length + " tokens (2 to " + context + ")");
      }
    }
    // Prefill: the cache holds every prompt token but the last, which the first step consumes.
    int[][] prefixes = new int[rows][];
    for (int r = 0; r < rows; r++) {
      prefixes[r] = Arrays.copyOf(prompts.get(r), prompts.get(r).length - 1);
    }
    List<String> cacheNames = new ArrayList<>();
    for (int i = 0; i < config.layers(); i++) {
      cacheNames.add(TransformerGraph.keys(i));
      cacheNames.add(TransformerGraph.values(i));
    }
    // The cache lives in Java arrays, [rows, heads, context, headWidth] each: appending to it and cutting the
    // placeholder out of it are plain copies, where ND4J's indexing would cost far more than the step itself.
    Map<String, float[]> cache = new HashMap<>();
    model.runSequences(prefixes, cacheNames).forEach((name, array) -> cache.put(name, array.dup('c').data().asFloat()));

    int[] position = new int[rows];
    int[] current = new int[rows];
    boolean[] done = new boolean[rows];
    Generation.Stop[] stops = new Generation.Stop[rows];
    boolean[] constrained = new boolean[rows];
    List<List<Integer>> written = new ArrayList<>();
    Random[] random = new Random[rows];
    for (int r = 0; r < rows; r++) {
      position[r] = prompts.get(r).length - 1;
      current[r] = prompts.get(r)[position[r]];
      written.add(new ArrayList<>());
      random[r] = new Random(decoding.seed() + r);
    }
    int active = rows;
    while (active > 0) {
      int cached = 0;
      for (int r = 0; r < rows; r++) {
        cached = Math.max(cached, position[r]);
      }
      Map<String, INDArray> inputs = stepInputs(current, position, cached, cache);
      Map<String, INDArray> out = stepGraph.output(inputs, stepOutputs);
      float[] logits = out.get(TransformerGraph.LOGITS).dup('c').data().asFloat();
      for (int i = 0; i < config.layers(); i++) {
        append(cache.get(TransformerGraph.keys(i)), out.get(TransformerGraph.newKeys(i)), position, done);
        append(cache.get(TransformerGraph.values(i)), out.get(TransformerGraph.newValues(i)), position, done);
      }
      int vocabulary = config.vocabularySize();
      for (int r = 0; r < rows; r++) {
        if (done[r]) {
          continue;
        }
        float[] rowLogits = Arrays.copyOfRange(logits, r * vocabulary, (r + 1) * vocabulary);
        if (written.get(r).isEmpty()) {
          constrained[r] = constrainFirst(rowLogits);
        }
        int next = pick(rowLogits, decoding, random[r]);
        written.get(r).add(next);
        position[r]++;
        current[r] = next;
        Generation.Stop stop = next == SpecialToken.END.id() ? Generation.Stop.END_OF_TURN
            : written.get(r).size() >= decoding.maxNewTokens() ? Generation.Stop.TOKEN_LIMIT
            : position[r] >= context ? Generation.Stop.CONTEXT_FULL
            : null;
        if (stop != null) {
          stops[r] = stop;
          done[r] = true;
          active--;
        }
      }
    }
    List<Generation> generations = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      generations.add(new Generation(written.get(r).stream().mapToInt(Integer::intValue).toArray(), stops[r],
          constrained[r]));
    }
    return generations;
  }

  /**
   * The next turn for one conversation without a cache: every token re-runs the whole sequence so far. Slow; the
   * reference for {@link #generate}.
   */
  public Generation generateUncached(int[] prompt, DecodingConfig decoding) {
    int context = config.contextLength();
    List<Integer> sequence = new ArrayList<>();
    for (int t : prompt) {
      sequence.add(t);
    }
    Random random = new Random(decoding.seed());
    List<Integer> written = new ArrayList<>();
    boolean constrained = false;
    while (true) {
      int[] tokens = sequence.stream().mapToInt(Integer::intValue).toArray();
      float[] last = model.logits(tokens)[tokens.length - 1];
      if (written.isEmpty()) {
        constrained = constrainFirst(last);
      }
      int next = pick(last, decoding, random);
      written.add(next);
      sequence.add(next);
      Generation.Stop stop = next == SpecialToken.END.id() ? Generation.Stop.END_OF_TURN
          : written.size() >= decoding.maxNewTokens() ? Generation.Stop.TOKEN_LIMIT
          : sequence.size() - 1 >= context ? Generation.Stop.CONTEXT_FULL
          : null;
      if (stop != null) {
        return new Generation(written.stream().mapToInt(Integer::intValue).toArray(), stop, constrained);
      }
    }
  }

  private Map<String, INDArray> stepInputs(int[] current, int[] position, int cached, Map<String, float[]> cache) {
    int rows = current.length;
    int context = config.contextLength();
    float[] positions = new float[rows * context];
    float[] mask = new float[rows * (cached + 1)];
    for (int r = 0; r < rows; r++) {
      // A finished row keeps running on its last position, harmlessly: its outputs are ignored.
      int p = Math.min(position[r], context - 1);
      positions[r * context + p] = 1;
      for (int j = p; j < cached; j++) {
        mask[r * (cached + 1) + j] = MASKED;
      }
    }
    Map<String, INDArray> inputs = new HashMap<>();
    inputs.put(TransformerGraph.STEP_TOKEN, Nd4j.createFromArray(current));
    inputs.put(TransformerGraph.STEP_POSITION, Nd4j.create(positions, new long[] {rows, context}, 'c'));
    inputs.put(TransformerGraph.STEP_MASK, Nd4j.create(mask, new long[] {rows, 1, 1, cached + 1}, 'c'));
    int heads = config.heads();
    int width = config.headWidth();
    for (Map.Entry<String, float[]> e : cache.entrySet()) {
      float[] all = e.getValue();
      float[] slice = new float[rows * heads * cached * width];
      for (int rh = 0; rh < rows * heads; rh++) {
        System.arraycopy(all, rh * context * width, slice, rh * cached * width, cached * width);
      }
      inputs.put(e.getKey(), Nd4j.create(slice, new long[] {rows, heads, cached, width}, 'c'));
    }
    return inputs;
  }

  /** Writes each live row's new key or value, {@code [rows, heads, 1, headWidth]}, at that row's position. */
  private void append(float[] cache, INDArray fresh, int[] position, boolean[] done) {
    float[] values = fresh.dup('c').data().asFloat();
    int heads = config.heads();
    int width = config.headWidth();
    int context = config.contextLength();
    for (int r = 0; r < position.length; r++) {
      if (done[r] || position[r] >= context) {
        continue;
      }
      for (int h = 0; h < heads; h++) {
        System.arraycopy(values, (r * heads + h) * width, cache, ((r * heads + h) * context + position[r]) * width,
            width);
      }
    }
  }

  /**
   * Masks the logits of tokens a turn may not start with; returns whether the model's most likely token was among
   * them. Does nothing for an unconstrained decoder.
   */
  private boolean constrainFirst(float[] logits) {
    if (allowedFirst == null) {
      return false;
    }
    int argmax = 0;
    for (int k = 1; k < logits.length; k++) {
      if (logits[k] > logits[argmax]) {
        argmax = k;
      }
    }
    for (int k = 0; k < logits.length; k++) {
      if (!allowedFirst[k]) {
        logits[k] = Float.NEGATIVE_INFINITY;
      }
    }
    return !allowedFirst[argmax];
  }

  /** Greedy argmax, or a sample from the temperature-scaled nucleus. */
  static int pick(float[] logits, DecodingConfig decoding, Random random) {
    int argmax = 0;
    for (int k = 1; k < logits.length; k++) {
      if (logits[k] > logits[argmax]) {
        argmax = k;
      }
    }
    if (decoding.isGreedy()) {
      return argmax;
    }
    double[] p = new double[logits.length];
    double sum = 0;
    for (int k = 0; k < logits.length; k++) {
      p[k] = Math.exp((logits[k] - logits[argmax]) / decoding.temperature());
      sum += p[k];
    }
    Integer[] order = new Integer[logits.length];
    for (int k = 0; k < order.length; k++) {
      order[k] = k;
      p[k] /= sum;
    }
    // Most likely first; ties by id, so that the nucleus does not depend on the sort's stability.
    Arrays.sort(order, (a, b) -> p[a] != p[b] ? Double.compare(p[b], p[a]) : Integer.compare(a, b));
    double kept = 0;
    int size = 0;
    while (size < order.length && (size == 0 || kept < decoding.topP())) {
      kept += p[order[size]];
      size++;
    }
    double u = random.nextDouble() * kept;
    double acc = 0;
    for (int i = 0; i < size; i++) {
      acc += p[order[i]];
      if (u < acc) {
        return order[i];
      }
    }
    return order[size - 1];
  }
}
