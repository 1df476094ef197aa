package dev.subterra.training.decode;

import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.TransformerGraph;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A step-level decoder for continuous batching: conversations {@linkplain #join join} at any time, every
 * {@link #step()} prefills the ones that joined since the last step and then advances every live conversation by one
 * token, and a conversation leaves the batch as soon as it finishes (or is {@linkplain #cancel cancelled}).
 *
 * <p>It runs the same two graphs as {@link Decoder}: the whole-sequence graph fills a new conversation's key/value
 * cache with its prompt but the last token, then the one-token step graph takes each conversation's latest token at
 * its own position and attends to that conversation's cached positions only. Each conversation keeps its own cache
 * (Java arrays, {@code [heads, context, headWidth]} per layer), so a batch is assembled afresh at every step from
 * whichever conversations are live: that is what lets a new conversation join a running batch. Stopping rules, the
 * tag constraint on the first token and sampling are {@link Decoder}'s, so a conversation decodes to the tokens
 * {@link Decoder#generate} writes for it alone (apart from the float rounding of batched arithmetic), whoever else
 * is in the batch. Each conversation samples with its own {@link DecodingConfig#seed()}.
 *
 * <p>Not thread-safe: one thread drives a session (a server's batch scheduler).
 */
public final class DecodeSession {

  private static final float MASKED = -1e9f;

  /** One token a step wrote for a conversation, and the whole generation when that token finished it. */
  public record Token(long conversation, int token, Generation finished) {
    /** Whether this token ended the conversation's turn. */
    public boolean isLast() {
      return finished != null;
    }
  }

  private final StudentModel model;
  private final StudentConfig config;
  private final SameDiff stepGraph;
  private final List<String> stepOutputs;
  private final List<String> cacheNames;
  private final boolean[] allowedFirst;
  private final Map<Long, Row> live = new LinkedHashMap<>();
  private final List<Row> joining = new ArrayList<>();
  private long nextId;

  private DecodeSession(StudentModel model, boolean[] allowedFirst) {
    this.model = model;
    this.config = model.config();
    this.allowedFirst = allowedFirst;
    this.stepGraph = model.newStepGraph();
    List<String> outputs = new ArrayList<>();
    List<String> names = new ArrayList<>();
    outputs.add(TransformerGraph.LOGITS);
    for (int i = 0; i < config.layers(); i++) {
      outputs.add(TransformerGraph.newKeys(i));
      outputs.add(TransformerGraph.newValues(i));
      names.add(TransformerGraph.keys(i));
      names.add(TransformerGraph.values(i));
    }
    this.stepOutputs = List.copyOf(outputs);
    this.cacheNames = List.copyOf(names);
  }

  /** A session free to write any token. */
  public static DecodeSession unconstrained(StudentModel model) {
    return new DecodeSession(model, null);
  }

  /** A session whose turns start with one of the tokenizer's node tags, as {@link Decoder#constrainedToTags}. */
  public static DecodeSession constrainedToTags(StudentModel model, BpeTokenizer tokenizer) {
    if (tokenizer.nodeIds().isEmpty()) {
      throw new IllegalArgumentException("Invalid tokenizer: it has no node tags to constrain to");
    }
    boolean[] allowed = new boolean[model.config().vocabularySize()];
    for (String nodeId : tokenizer.nodeIds()) {
      allowed[tokenizer.nodeTagId(nodeId)] = true;
    }
    return new DecodeSession(model, allowed);
  }

  /**
   * Adds a conversation; it is prefilled at the next {@link #step()} and writes its first token there. Returns the
   * conversation's id within this session.
   */
  public long join(int[] prompt, DecodingConfig decoding) {
    return join(prompt, decoding, allowedFirst);
  }

  /**
   * Adds a conversation whose first token must be one of {@code firstTokens} (a flag per vocabulary id), whatever
   * this session's own constraint: a server narrows the node tags a request may start with this way. Null leaves the
   * first token free.
   */
  public long join(int[] prompt, DecodingConfig decoding, boolean[] firstTokens) {
    if (firstTokens != null && firstTokens.length != config.vocabularySize()) {
      throw new IllegalArgumentException("Invalid firstTokens: " + firstTokens.length + " flags for a vocabulary of "
          + config.vocabularySize());
    }
    int context = config.contextLength();
    if (prompt.length < 2 || prompt.length > context) {
      throw new IllegalArgumentException("Invalid prompt: " + prompt.length + " tokens (2 to " + context + ")");
    }
    Row row = new Row(nextId++, prompt.clone(), decoding, firstTokens);
    joining.add(row);
    return row.id;
  }

  /** Drops a conversation, joined or live, without finishing it; does nothing for an unknown or finished one. */
  public void cancel(long conversation) {
    live.remove(conversation);
    joining.removeIf(r -> r.id == conversation);
  }

  /** Conversations that have joined and not yet finished. */
  public int size() {
    return live.size() + joining.size();
  }

  /** Whether no conversation is left. */
  public boolean isEmpty() {
    return size() == 0;
  }

  /**
   * Prefills the conversations that joined since the last step, then writes one token for every live conversation,
   * in one batched pass of the step graph. Returns the tokens written, one per conversation, in join order; a token
   * that finished its conversation carries the whole {@link Generation}, and the conversation is gone from the
   * session.
   */
  public List<Token> step() {
    if (!joining.isEmpty()) {
      prefill();
    }
    if (live.isEmpty()) {
      return List.of();
    }
    List<Row> rows = new ArrayList<>(live.values());
    int n = rows.size();
    int context = config.contextLength();
    int heads = config.heads();
    int width = config.headWidth();
    int cached = 0;
    for (Row row : rows) {
      cached = Math.max(cached, row.position);
    }
    int[] current = new int[n];
    float[] positions = new float[n * context];
    float[] mask = new float[n * (cached + 1)];
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      current[r] = row.current;
      positions[r * context + row.position] = 1;
      for (int j = row.position; j < cached; j++) {
        mask[r * (cached + 1) + j] = MASKED;
      }
    }
    Map<String, INDArray> inputs = new HashMap<>();
    inputs.put(TransformerGraph.STEP_TOKEN, Nd4j.createFromArray(current));
    inputs.put(TransformerGraph.STEP_POSITION, Nd4j.create(positions, new long[] {n, context}, 'c'));
    inputs.put(TransformerGraph.STEP_MASK, Nd4j.create(mask, new long[] {n, 1, 1, cached + 1}, 'c'));
    for (int c = 0; c < cacheNames.size(); c++) {
      float[] slice = new float[n * heads * cached * width];
      for (int r = 0; r < n; r++) {
        float[] own = rows.get(r).cache[c];
        for (int h = 0; h < heads; h++) {
          System.arraycopy(own, h * context * width, slice, (r * heads + h) * cached * width, cached * width);
        }
      }
      inputs.put(cacheNames.get(c), Nd4j.create(slice, new long[] {n, heads, cached, width}, 'c'));
    }
    Map<String, INDArray> out = stepGraph.output(inputs, stepOutputs);
    float[] logits = out.get(TransformerGraph.LOGITS).dup('c').data().asFloat();
    for (int c = 0; c < cacheNames.size(); c++) {
      // Output c + 1 is the new key (even c) or value (odd c) of layer c / 2, in the order of cacheNames.
      float[] fresh = out.get(stepOutputs.get(c + 1)).dup('c').data().asFloat();
      for (int r = 0; r < n; r++) {
        Row row = rows.get(r);
        for (int h = 0; h < heads; h++) {
          System.arraycopy(fresh, (r * heads + h) * width, row.cache[c], (h * context + row.position) * width,
              width);
        }
      }
    }
    int vocabulary = config.vocabularySize();
    List<Token> written = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      float[] rowLogits = Arrays.copyOfRange(logits, r * vocabulary, (r + 1) * vocabulary);
      if (row.written.isEmpty()) {
        row.constrained = constrainFirst(rowLogits, row.allowedFirst);
      }
      int next = Decoder.pick(rowLogits, row.decoding, row.random);
      row.written.add(next);
      row.position++;
      row.current = next;
      Generation.Stop stop = next == SpecialToken.END.id() ? Generation.Stop.END_OF_TURN
          : row.written.size() >= row.decoding.maxNewTokens() ? Generation.Stop.TOKEN_LIMIT
          : row.position >= context ? Generation.Stop.CONTEXT_FULL
          : null;
      Generation finished = null;
      if (stop != null) {
        finished = new Generation(row.written.stream().mapToInt(Integer::intValue).toArray(), stop, row.constrained);
        live.remove(row.id);
      }
      written.add(new Token(row.id, next, finished));
    }
    return written;
  }

  /** Fills the caches of the conversations that joined, in one pass of the whole-sequence graph. */
  private void prefill() {
    int rows = joining.size();
    int context = config.contextLength();
    int heads = config.heads();
    int width = config.headWidth();
    int[][] prefixes = new int[rows][];
    for (int r = 0; r < rows; r++) {
      int[] prompt = joining.get(r).prompt;
      prefixes[r] = Arrays.copyOf(prompt, prompt.length - 1);
    }
    Map<String, INDArray> out = model.runSequences(prefixes, cacheNames);
    for (int c = 0; c < cacheNames.size(); c++) {
      float[] all = out.get(cacheNames.get(c)).dup('c').data().asFloat();
      int perRow = heads * context * width;
      for (int r = 0; r < rows; r++) {
        joining.get(r).cache[c] = Arrays.copyOfRange(all, r * perRow, (r + 1) * perRow);
      }
    }
    for (Row row : joining) {
      live.put(row.id, row);
    }
    joining.clear();
  }

  /** As {@link Decoder}: masks tokens a turn may not start with; whether the model's own choice was among them. */
  private static boolean constrainFirst(float[] logits, boolean[] allowedFirst) {
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

  /** One conversation's state: its cache, position, latest token and what it has written. */
  private final class Row {
    final long id;
    final int[] prompt;
    final DecodingConfig decoding;
    final boolean[] allowedFirst;
    final Random random;
    final float[][] cache;
    final List<Integer> written = new ArrayList<>();
    int position;
    int current;
    boolean constrained;

    Row(long id, int[] prompt, DecodingConfig decoding, boolean[] allowedFirst) {
      this.id = id;
      this.allowedFirst = allowedFirst;
      this.prompt = prompt;
      this.decoding = decoding;
      this.random = new Random(decoding.seed());
      this.cache = new float[cacheNames.size()][];
      this.position = prompt.length - 1;
      this.current = prompt[position];
    }
  }
}
