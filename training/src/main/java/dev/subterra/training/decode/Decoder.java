package dev.subterra.training.decode;

import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.TransformerGraph;
import dev.subterra.training.tokenizer.BpeTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Writes the student's next turn for one or many conversations, with a key/value cache.
 *
 * <p>Every prompt token but the last is first run through {@link StepKernel} (the one-token step of the model: what
 * {@link TransformerGraph#sequence} computes, one position at a time), which fills the cache. From then on each step
 * takes each conversation's latest token at its own position, attends to that conversation's cached positions
 * only, and returns the next token's logits and stores its keys and values. So each new token costs one pass over one
 * position instead of a pass over the whole prefix.
 *
 * <p>Each conversation stops at the end-of-turn token, at {@link DecodingConfig#maxNewTokens()}, or when it fills the
 * context. Conversations of a batch are independent: the same prompt gives exactly the same tokens alone or in a batch.
 * {@link #generateUncached} re-runs the whole prefix per token from an empty cache; it is the reference the cache is
 * tested against (they give exactly the same tokens), and the baseline of the benchmarks.
 *
 * <p>Constrained tag decoding: a decoder made with {@link #constrainedToTags} picks the first token of each turn
 * among the workflow's node tags only (by likelihood, or by sampling among them), so the student never names a node
 * that does not exist; {@link Generation#firstTokenConstrained()} says where that overrode the model's own choice.
 * Grounded calls ({@link #constrained}, {@link GroundedCalls}) write every tool call by the tools' signatures, each
 * argument value a span of what the user said or a tool returned, chosen by likelihood with a beam search over the
 * alternatives; {@link Generation#groundedOverrides()} counts the call tokens that differ from the model's own choice.
 *
 * <p>Not thread-safe: use one decoder per thread.
 */
public final class Decoder {

  private final StudentModel model;
  private final StudentConfig config;
  private final StepKernel kernel;
  private final boolean[] allowedFirst;
  private final GroundedCalls calls;
  private final CallChooser chooser;

  /** A decoder for one model, free to write any token. */
  public Decoder(StudentModel model) {
    this(model, null, null);
  }

  /** A decoder whose turns start with one of the tokenizer's node tags. */
  public static Decoder constrainedToTags(StudentModel model, BpeTokenizer tokenizer) {
    return constrained(model, tokenizer, true, null);
  }

  /**
   * A decoder with the constraints asked for: turns that start with a node tag ({@code tags}), and tool calls written
   * by {@code calls} (see {@link GroundedCalls}; null leaves calls free).
   */
  public static Decoder constrained(StudentModel model, BpeTokenizer tokenizer, boolean tags, GroundedCalls calls) {
    return new Decoder(model, tags ? tagsOnly(model, tokenizer) : null, calls);
  }

  /** A flag per vocabulary id, set for the tokenizer's node tags: the first tokens a constrained turn may take. */
  static boolean[] tagsOnly(StudentModel model, BpeTokenizer tokenizer) {
    if (tokenizer.nodeIds().isEmpty()) {
      throw new IllegalArgumentException("Invalid tokenizer: it has no node tags to constrain to");
    }
    boolean[] allowed = new boolean[model.config().vocabularySize()];
    for (String nodeId : tokenizer.nodeIds()) {
      allowed[tokenizer.nodeTagId(nodeId)] = true;
    }
    return allowed;
  }

  private Decoder(StudentModel model, boolean[] allowedFirst, GroundedCalls calls) {
    this.allowedFirst = allowedFirst;
    this.calls = calls;
    this.model = model;
    this.config = model.config();
    this.kernel = new StepKernel(model);
    this.chooser = new CallChooser(kernel, config);
  }

  /** The next turn for one conversation. */
  public Generation generate(int[] prompt, DecodingConfig decoding) {
    return generate(List.of(prompt), decoding).get(0);
  }

  /** The next turn for each conversation, decoded together. */
  public List<Generation> generate(List<int[]> prompts, DecodingConfig decoding) {
    return generate(prompts, prompts, decoding);
  }

  /**
   * The next turn for each conversation, decoded together, with grounded call arguments quoting {@code sources}: per
   * conversation, the tokens of the whole conversation so far, which may hold turns its prompt's window cut (a value
   * the user gave early in a long conversation). Without grounded calls {@code sources} is not read.
   */
  public List<Generation> generate(List<int[]> prompts, List<int[]> sources, DecodingConfig decoding) {
    if (sources.size() != prompts.size()) {
      throw new IllegalArgumentException("Invalid sources: " + sources.size() + " for " + prompts.size()
          + " prompts");
    }
    int rows = prompts.size();
    int context = config.contextLength();
    for (int[] p : prompts) {
      if (p.length < 2 || p.length > context) {
        throw new IllegalArgumentException("Invalid prompt: " + p.length + " tokens (2 to " + context + ")");
      }
    }
    // Prefill: the cache holds every prompt token but the last, which the first step consumes.
    StepKernel.Cache cache = kernel.newCache(rows);
    kernel.prefill(cache, prompts);
    int[] position = new int[rows];
    int[] current = new int[rows];
    int[] previous = new int[rows];
    boolean[] done = new boolean[rows];
    Generation.Stop[] stops = new Generation.Stop[rows];
    boolean[] constrained = new boolean[rows];
    List<List<Integer>> written = new ArrayList<>();
    Random[] random = new Random[rows];
    GroundedCalls.Row[] grounded = new GroundedCalls.Row[rows];
    for (int r = 0; r < rows; r++) {
      grounded[r] = calls == null ? null : calls.start(sources.get(r));
      position[r] = prompts.get(r).length - 1;
      current[r] = prompts.get(r)[position[r]];
      previous[r] = prompts.get(r)[position[r] - 1];
      written.add(new ArrayList<>());
      random[r] = new Random(decoding.seed() + r);
    }
    int active = rows;
    float[] logits = new float[rows * config.vocabularySize()];
    while (active > 0) {
      boolean[] live = new boolean[rows];
      for (int r = 0; r < rows; r++) {
        live[r] = !done[r];
      }
      kernel.step(cache, current, previous, position, live, logits);
      int vocabulary = config.vocabularySize();
      for (int r = 0; r < rows; r++) {
        if (done[r]) {
          continue;
        }
        float[] rowLogits = Arrays.copyOfRange(logits, r * vocabulary, (r + 1) * vocabulary);
        if (written.get(r).isEmpty()) {
          constrained[r] = constrainFirst(rowLogits, allowedFirst);
        }
        int next = chooser.nextToken(grounded[r], rowOf(cache.keys, r), rowOf(cache.values, r), position[r] + 1,
            current[r], rowLogits, decoding, random[r]);
        written.get(r).add(next);
        position[r]++;
        previous[r] = current[r];
        current[r] = next;
        Generation.Stop stop = CallChooser.unlessCalling(
            Generation.Stop.after(next, written.get(r).size(), position[r], decoding, context), grounded[r]);
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
          constrained[r], grounded[r] == null ? 0 : grounded[r].overridden()));
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
    GroundedCalls.Row grounded = calls == null ? null : calls.start(prompt);
    while (true) {
      int[] tokens = sequence.stream().mapToInt(Integer::intValue).toArray();
      // A fresh cache every token: the whole prefix is run again, nothing is carried over.
      StepKernel.Cache cache = kernel.newCache(1);
      kernel.prefill(cache, List.of(tokens));
      float[] last = new float[config.vocabularySize()];
      kernel.step(cache, new int[] {tokens[tokens.length - 1]}, new int[] {tokens[tokens.length - 2]},
          new int[] {tokens.length - 1}, new boolean[] {true}, last);
      if (written.isEmpty()) {
        constrained = constrainFirst(last, allowedFirst);
      }
      int next = chooser.nextToken(grounded, rowOf(cache.keys, 0), rowOf(cache.values, 0), tokens.length,
          tokens[tokens.length - 1], last, decoding, random);
      written.add(next);
      sequence.add(next);
      // The next position is the sequence's last index: the written token is input to the next step.
      Generation.Stop stop = CallChooser.unlessCalling(
          Generation.Stop.after(next, written.size(), sequence.size() - 1, decoding, context), grounded);
      if (stop != null) {
        return new Generation(written.stream().mapToInt(Integer::intValue).toArray(), stop, constrained,
            grounded == null ? 0 : grounded.overridden());
      }
    }
  }

  /** Row {@code r}'s keys or values per layer, out of a batch cache's {@code [layer][row][...]}. */
  private static float[][] rowOf(float[][][] cache, int r) {
    float[][] out = new float[cache.length][];
    for (int i = 0; i < cache.length; i++) {
      out[i] = cache[i][r];
    }
    return out;
  }

  /** {@code log(sum(exp(logits)))}, computed stably: the log of a softmax's normaliser. */
  static double logSumExp(float[] logits) {
    float max = Float.NEGATIVE_INFINITY;
    for (float v : logits) {
      max = Math.max(max, v);
    }
    double sum = 0;
    for (float v : logits) {
      sum += Math.exp(v - max);
    }
    return max + Math.log(sum);
  }

  static int argmax(float[] logits) {
    int best = 0;
    for (int k = 1; k < logits.length; k++) {
      if (logits[k] > logits[best]) {
        best = k;
      }
    }
    return best;
  }

  /**
   * Masks the logits of tokens a turn may not start with; returns whether the model's most likely token was among
   * them. Does nothing when {@code allowedFirst} is null (an unconstrained decoder).
   */
  static boolean constrainFirst(float[] logits, boolean[] allowedFirst) {
    if (allowedFirst == null) {
      return false;
    }
    int argmax = argmax(logits);
    for (int k = 0; k < logits.length; k++) {
      if (!allowedFirst[k]) {
        logits[k] = Float.NEGATIVE_INFINITY;
      }
    }
    return !allowedFirst[argmax];
  }

  /** Greedy argmax, or a sample from the temperature-scaled nucleus. */
  static int pick(float[] logits, DecodingConfig decoding, Random random) {
    int argmax = argmax(logits);
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
