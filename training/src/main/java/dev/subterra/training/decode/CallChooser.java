package dev.subterra.training.decode;

import dev.subterra.training.model.StudentConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Makes the choices of a grounded call ({@link GroundedCalls}) by the student's likelihood: each alternative's total
 * log-probability, its closing delimiter included, found by a beam search of width {@link #BEAM} over the
 * alternatives' trie, run on copies of the conversation's key/value cache so the conversation itself is untouched.
 * Shared by {@link Decoder} and {@link DecodeSession}; not thread-safe, like them.
 */
final class CallChooser {
  private final StepKernel kernel;
  private final StudentConfig config;

  CallChooser(StepKernel kernel, StudentConfig config) {
    this.kernel = kernel;
    this.config = config;
  }

  /**
   * The next token of a turn: the grammar's while a call is open ({@code row} busy; counted when it differs from the
   * model's most likely token), else the sampler's; then the grammar sees it. {@code row} null: the sampler's.
   * {@code previous} is the token before {@code position}, the one {@code logits} follow.
   */
  int nextToken(GroundedCalls.Row row, float[][] keys, float[][] values, int position, int previous, float[] logits,
      DecodingConfig decoding, java.util.Random random) {
    int next;
    if (row != null && row.busy()) {
      next = next(row, keys, values, position, previous, logits);
      row.count(next != Decoder.argmax(logits));
    } else {
      next = Decoder.pick(logits, decoding, random);
    }
    if (row != null) {
      row.accept(next);
    }
    return next;
  }

  /** {@code stop}, unless it is the token limit in the middle of a call: a call cut short would not parse. */
  static Generation.Stop unlessCalling(Generation.Stop stop, GroundedCalls.Row row) {
    return stop == Generation.Stop.TOKEN_LIMIT && row != null && row.busy() ? null : stop;
  }

  /**
   * The next token of the call the grammar is writing for one conversation, whose cache is {@code keys} and
   * {@code values} ({@code [layer][position * width]}): a pending choice is made first. {@code position} is where the
   * token goes, {@code previous} the token before it and {@code logits} its distribution.
   */
  private int next(GroundedCalls.Row row, float[][] keys, float[][] values, int position, int previous,
      float[] logits) {
    List<int[]> alternatives = row.pendingChoice();
    if (alternatives != null) {
      row.choose(mostLikely(alternatives, keys, values, position, previous, logits));
    }
    return row.next();
  }

  /** The most alternatives a call choice keeps open while it scores them. */
  static final int BEAM = 8;

  /** A partly scored alternative of a beam: its trie node, its log-likelihood so far, and its own cache. */
  private record Hypothesis(Trie node, int token, double score, float[][] keys, float[][] values, float[] logits) {}

  /** Token runs sharing prefixes; {@code alternative} is the index of the run that ends here, or -1. */
  private static final class Trie {
    final java.util.TreeMap<Integer, Trie> children = new java.util.TreeMap<>();
    int alternative = -1;
  }

  /**
   * The alternative with the highest total log-likelihood, by a beam search of width {@link #BEAM} over their trie;
   * ties go to the earlier alternative. Alternatives that would not fit in the context are skipped (the first is
   * taken if none fits). {@code previous} is the token before {@code position}.
   */
  int mostLikely(List<int[]> alternatives, float[][] rowKeys, float[][] rowValues, int position, int previous,
      float[] logits) {
    int context = config.contextLength();
    Trie root = new Trie();
    for (int a = 0; a < alternatives.size(); a++) {
      int[] run = alternatives.get(a);
      if (run.length == 0 || position + run.length - 1 > context) {
        continue;
      }
      Trie node = root;
      for (int id : run) {
        node = node.children.computeIfAbsent(id, k -> new Trie());
      }
      if (node.alternative < 0) {
        node.alternative = a;
      }
    }
    int best = -1;
    double bestScore = Double.NEGATIVE_INFINITY;
    List<Hypothesis> open = List.of(new Hypothesis(root, previous, 0, rowKeys, rowValues, logits));
    int depth = 0;
    while (!open.isEmpty()) {
      record Expansion(Hypothesis parent, int token, Trie child, double score) {}
      List<Expansion> expansions = new ArrayList<>();
      for (Hypothesis h : open) {
        double logNorm = Decoder.logSumExp(h.logits());
        for (var e : h.node().children.entrySet()) {
          expansions.add(new Expansion(h, e.getKey(), e.getValue(), h.score() + h.logits()[e.getKey()] - logNorm));
        }
      }
      expansions.sort((x, y) -> Double.compare(y.score(), x.score()));
      List<Expansion> kept = new ArrayList<>();
      for (Expansion x : expansions) {
        if (x.child().alternative >= 0 && (x.score() > bestScore
            || x.score() == bestScore && x.child().alternative < best)) {
          best = x.child().alternative;
          bestScore = x.score();
        }
        if (!x.child().children.isEmpty() && kept.size() < BEAM) {
          kept.add(x);
        }
      }
      double floor = bestScore;
      kept.removeIf(x -> x.score() <= floor);
      if (kept.isEmpty()) {
        break;
      }
      // Each kept hypothesis takes its token at the next position, in a copy of its parent's cache.
      int at = position + depth;
      List<float[][]> keyRows = new ArrayList<>();
      List<float[][]> valueRows = new ArrayList<>();
      int[] tokens = new int[kept.size()];
      int[] before = new int[kept.size()];
      int[] positions = new int[kept.size()];
      boolean[] live = new boolean[kept.size()];
      for (int i = 0; i < kept.size(); i++) {
        keyRows.add(copyUpTo(kept.get(i).parent().keys(), at));
        valueRows.add(copyUpTo(kept.get(i).parent().values(), at));
        tokens[i] = kept.get(i).token();
        before[i] = kept.get(i).parent().token();
        positions[i] = at;
        live[i] = true;
      }
      float[] next = new float[kept.size() * config.vocabularySize()];
      kernel.step(kernel.batchOf(keyRows, valueRows), tokens, before, positions, live, next);
      List<Hypothesis> advanced = new ArrayList<>();
      for (int i = 0; i < kept.size(); i++) {
        advanced.add(new Hypothesis(kept.get(i).child(), tokens[i], kept.get(i).score(), keyRows.get(i),
            valueRows.get(i),
            Arrays.copyOfRange(next, i * config.vocabularySize(), (i + 1) * config.vocabularySize())));
      }
      open = advanced;
      depth++;
    }
    return best >= 0 ? best : 0;
  }

  /** A copy of a row's keys or values per layer, of which the first {@code positions} positions are filled. */
  private float[][] copyUpTo(float[][] rows, int positions) {
    float[][] out = new float[rows.length][];
    for (int i = 0; i < rows.length; i++) {
      out[i] = new float[rows[i].length];
      System.arraycopy(rows[i], 0, out[i], 0, Math.min(rows[i].length, positions * config.width()));
    }
    return out;
  }


}
