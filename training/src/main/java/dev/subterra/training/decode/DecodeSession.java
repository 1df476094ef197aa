package dev.subterra.training.decode;

import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.tokenizer.BpeTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A step-level decoder for continuous batching: conversations {@linkplain #join join} at any time, every
 * {@link #step()} prefills the ones that joined since the last step and then advances every live conversation by one
 * token, and a conversation leaves the batch as soon as it finishes (or is {@linkplain #cancel cancelled}).
 *
 * <p>It runs {@link Decoder}'s {@link StepKernel}: a new conversation's prompt but its last token fills its key/value
 * cache, then each step takes every conversation's latest token at its own position, attending to that
 * conversation's cached positions only. Each conversation keeps its own cache, so a batch is assembled afresh at every
 * step (without copying) from whichever conversations are live: that is what lets a new conversation join a running
 * batch. Stopping rules, the tag constraint on the first token and sampling are {@link Decoder}'s, and the kernel's
 * arithmetic per row does not depend on the batch, so a conversation decodes to exactly the tokens
 * {@link Decoder#generate} writes for it alone, whoever else is in the batch. Each conversation samples with its own
 * {@link DecodingConfig#seed()}.
 *
 * <p>Not thread-safe: one thread drives a session (a server's batch scheduler).
 */
public final class DecodeSession {

  /** One token a step wrote for a conversation, and the whole generation when that token finished it. */
  public record Token(long conversation, int token, Generation finished) {
    /** Whether this token ended the conversation's turn. */
    public boolean isLast() {
      return finished != null;
    }
  }

  private final StudentConfig config;
  private final StepKernel kernel;
  private final CallChooser chooser;
  private final boolean[] allowedFirst;
  private final Map<Long, Row> live = new LinkedHashMap<>();
  private final List<Row> joining = new ArrayList<>();
  private long nextId;

  private DecodeSession(StudentModel model, boolean[] allowedFirst) {
    this.config = model.config();
    this.kernel = new StepKernel(model);
    this.chooser = new CallChooser(kernel, config);
    this.allowedFirst = allowedFirst;
  }

  /** A session free to write any token. */
  public static DecodeSession unconstrained(StudentModel model) {
    return new DecodeSession(model, null);
  }

  /** A session whose turns start with one of the tokenizer's node tags, as {@link Decoder#constrainedToTags}. */
  public static DecodeSession constrainedToTags(StudentModel model, BpeTokenizer tokenizer) {
    return new DecodeSession(model, Decoder.tagsOnly(model, tokenizer));
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
    return join(prompt, decoding, firstTokens, null);
  }

  /**
   * Adds a conversation as {@link #join(int[], DecodingConfig, boolean[])} does, whose tool calls {@code calls} writes
   * (a {@link GroundedCalls} row started on the whole conversation so far; null leaves calls free), as
   * {@link Decoder#constrained} does.
   */
  public long join(int[] prompt, DecodingConfig decoding, boolean[] firstTokens, GroundedCalls.Row calls) {
    if (firstTokens != null && firstTokens.length != config.vocabularySize()) {
      throw new IllegalArgumentException("Invalid firstTokens: " + firstTokens.length + " flags for a vocabulary of "
          + config.vocabularySize());
    }
    int context = config.contextLength();
    if (prompt.length < 2 || prompt.length > context) {
      throw new IllegalArgumentException("Invalid prompt: " + prompt.length + " tokens (2 to " + context + ")");
    }
    Row row = new Row(nextId++, prompt.clone(), decoding, firstTokens, calls);
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
   * in one batched pass of the step kernel. Returns the tokens written, one per conversation, in join order; a token
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
    int[] current = new int[n];
    int[] previous = new int[n];
    int[] positions = new int[n];
    boolean[] active = new boolean[n];
    for (int r = 0; r < n; r++) {
      current[r] = rows.get(r).current;
      previous[r] = rows.get(r).previous;
      positions[r] = rows.get(r).position;
      active[r] = true;
    }
    float[] logits = new float[n * config.vocabularySize()];
    kernel.step(batchOf(rows), current, previous, positions, active, logits);
    int vocabulary = config.vocabularySize();
    List<Token> written = new ArrayList<>(n);
    for (int r = 0; r < n; r++) {
      Row row = rows.get(r);
      float[] rowLogits = Arrays.copyOfRange(logits, r * vocabulary, (r + 1) * vocabulary);
      if (row.written.isEmpty()) {
        row.constrained = Decoder.constrainFirst(rowLogits, row.allowedFirst);
      }
      int next = chooser.nextToken(row.calls, row.keys, row.values, row.position + 1, row.current, rowLogits,
          row.decoding, row.random);
      row.written.add(next);
      row.position++;
      row.previous = row.current;
      row.current = next;
      Generation.Stop stop = CallChooser.unlessCalling(
          Generation.Stop.after(next, row.written.size(), row.position, row.decoding, context), row.calls);
      Generation finished = null;
      if (stop != null) {
        finished = new Generation(row.written.stream().mapToInt(Integer::intValue).toArray(), stop, row.constrained,
            row.calls == null ? 0 : row.calls.overridden());
        live.remove(row.id);
      }
      written.add(new Token(row.id, next, finished));
    }
    return written;
  }

  /** Fills the caches of the conversations that joined with their prompts but the last token, together. */
  private void prefill() {
    kernel.prefill(batchOf(joining), joining.stream().map(row -> row.prompt).toList());
    for (Row row : joining) {
      live.put(row.id, row);
    }
    joining.clear();
  }

  private StepKernel.Cache batchOf(List<Row> rows) {
    return kernel.batchOf(rows.stream().map(row -> row.keys).toList(), rows.stream().map(row -> row.values).toList());
  }

  /** One conversation's state: its cache, position, latest two tokens and what it has written. */
  private final class Row {
    final long id;
    final int[] prompt;
    final DecodingConfig decoding;
    final boolean[] allowedFirst;
    final GroundedCalls.Row calls;
    final Random random;
    final float[][] keys;
    final float[][] values;
    final List<Integer> written = new ArrayList<>();
    int position;
    int current;
    int previous;
    boolean constrained;

    Row(long id, int[] prompt, DecodingConfig decoding, boolean[] allowedFirst, GroundedCalls.Row calls) {
      this.id = id;
      this.calls = calls;
      this.allowedFirst = allowedFirst;
      this.prompt = prompt;
      this.decoding = decoding;
      this.random = new Random(decoding.seed());
      this.keys = kernel.newRowCache();
      this.values = kernel.newRowCache();
      this.position = prompt.length - 1;
      this.current = prompt[position];
      this.previous = position > 0 ? prompt[position - 1] : StepKernel.NONE;
    }
  }
}
