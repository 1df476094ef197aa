package dev.subterra.training.serial;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Turns dialogues into token sequences for the student, with a loss mask over the agent's turns only.
 *
 * <p>The layout, one line per turn:
 *
 * <pre>
 * &lt;bos&gt; &lt;system&gt; Flight booking &lt;end&gt;
 * &lt;user&gt; Hi, I am Ana. &lt;end&gt;
 * &lt;agent&gt; [&lt;node:greet&gt; Hello Ana, where to? &lt;end&gt;]
 * &lt;agent&gt; [&lt;node:search&gt; &lt;call&gt; search_flights(city=Paris, date=2026-05-01) &lt;/call&gt; &lt;end&gt;]
 * &lt;tool&gt; {"flight":"SB512"} &lt;end&gt;
 * </pre>
 *
 * <p>Brackets mark the targets: the node tag, the call and the text of each agent turn, and its end. The role tokens,
 * user turns and tool results are context, so at run time the caller appends {@code <agent>} and the student writes
 * the rest of the turn. This is the SimpleTOD layout: tag, then action, then words.
 *
 * <p>A dialogue longer than the window is cut into several windows. Each keeps the head of the conversation (the
 * system line and the first turns that fit in a quarter of the window) and fills the rest with the most recent
 * tokens; every target is trained exactly once, always with at least half the tail as recent context before it.
 */
public final class DialogueSerializer {

  private final BpeTokenizer tokenizer;
  private final String systemLine;
  private final int windowLength;
  private final int[] systemTokens;

  /**
   * A serializer for one workflow.
   *
   * @param tokenizer the tokenizer, which must have a tag for every node the dialogues name
   * @param systemLine the short line the student sees first: the workflow's name
   * @param windowLength the most tokens in one training window: the model's context length plus one, since the
   *     inputs are a window's tokens but its last and the labels are its tokens but its first
   */
  public DialogueSerializer(BpeTokenizer tokenizer, String systemLine, int windowLength) {
    this.tokenizer = tokenizer;
    this.systemLine = systemLine;
    this.windowLength = windowLength;
    List<Integer> system = new ArrayList<>();
    system.add(SpecialToken.BOS.id());
    system.add(SpecialToken.SYSTEM.id());
    addText(system, systemLine);
    system.add(SpecialToken.END.id());
    this.systemTokens = system.stream().mapToInt(Integer::intValue).toArray();
    if (windowLength < 8) {
      throw new IllegalArgumentException("Invalid windowLength: " + windowLength);
    }
    if (systemTokens.length > windowLength / 4) {
      throw new IllegalArgumentException("Invalid systemLine: " + systemLine + " (" + systemTokens.length
          + " tokens, more than a quarter of the " + windowLength + "-token window)");
    }
  }

  /** The system line this serializer starts every sequence with. */
  public String systemLine() {
    return systemLine;
  }

  /** The most tokens in one window. */
  public int windowLength() {
    return windowLength;
  }

  /** The whole dialogue as one sequence, however long. */
  public TokenSequence serialize(Dialogue dialogue) {
    return build(dialogue.turns(), false).sequence();
  }

  /** The dialogue as training windows of at most {@link #windowLength()} tokens; see the class comment. */
  public List<TokenSequence> windows(Dialogue dialogue) {
    Built built = build(dialogue.turns(), false);
    int n = built.tokens.size();
    if (n <= windowLength) {
      return List.of(built.sequence());
    }
    int head = headLength(built.turnStarts, windowLength / 4);
    int tail = windowLength - head;
    int newTargets = tail - tail / 2;
    List<TokenSequence> out = new ArrayList<>();
    out.add(built.slice(0, 0, windowLength, 0));
    int covered = windowLength;
    while (covered < n) {
      int end = Math.min(n, covered + newTargets);
      int start = end - tail;
      TokenSequence window = built.slice(head, start, end, covered);
      if (window.targetCount() > 0) {
        out.add(window);
      }
      covered = end;
    }
    return out;
  }

  /**
   * The tokens that ask the student for the agent's next turn after {@code history}: the conversation so far, then
   * {@code <agent>}. Cut like a training window so that it leaves room for {@code maxNewTokens} within
   * {@code contextLength}.
   */
  public int[] prompt(List<Turn> history, int contextLength, int maxNewTokens) {
    Built built = build(history, true);
    int budget = contextLength - maxNewTokens;
    int n = built.tokens.size();
    if (budget < systemTokens.length + 2) {
      throw new IllegalArgumentException("Invalid maxNewTokens: " + maxNewTokens + " (leaves " + budget
          + " of " + contextLength + " tokens for the prompt)");
    }
    if (n <= budget) {
      return built.sequence().tokens();
    }
    int head = headLength(built.turnStarts, budget / 4);
    int[] out = new int[budget];
    for (int i = 0; i < head; i++) {
      out[i] = built.tokens.get(i);
    }
    for (int i = head; i < budget; i++) {
      out[i] = built.tokens.get(n - budget + i);
    }
    return out;
  }

  /**
   * How many tokens {@link #prompt} would hold for {@code history} if nothing were cut: more than
   * {@code contextLength - maxNewTokens} means the prompt was truncated by the window rule.
   */
  public int untruncatedPromptLength(List<Turn> history) {
    return build(history, true).tokens.size();
  }

  private int headLength(List<Integer> turnStarts, int budget) {
    int head = systemTokens.length;
    for (int start : turnStarts) {
      if (start <= budget) {
        head = Math.max(head, start);
      }
    }
    return head;
  }

  private Built build(List<Turn> turns, boolean openAgentTurn) {
    Built b = new Built();
    b.add(systemTokens, false);
    for (Turn turn : turns) {
      b.turnStarts.add(b.tokens.size());
      if (turn.role() == Role.USER) {
        b.add(SpecialToken.USER.id(), false);
        b.addText(turn.text(), false);
        b.add(SpecialToken.END.id(), false);
        continue;
      }
      // An agent turn or a tool turn: either way the agent speaks, and a tool turn's result comes back after it.
      b.add(SpecialToken.AGENT.id(), false);
      if (turn.nodeId() != null) {
        b.add(tokenizer.nodeTagId(turn.nodeId()), true);
      }
      if (turn.call() != null) {
        b.add(SpecialToken.CALL.id(), true);
        b.addText(formatCall(turn.call()), true);
        b.add(SpecialToken.CALL_END.id(), true);
      }
      if (turn.text() != null && !turn.text().isEmpty()) {
        b.addText(turn.text(), true);
      }
      b.add(SpecialToken.END.id(), true);
      if (turn.result() != null) {
        b.turnStarts.add(b.tokens.size());
        b.add(SpecialToken.TOOL.id(), false);
        b.addText(turn.result(), false);
        b.add(SpecialToken.END.id(), false);
      }
    }
    if (openAgentTurn) {
      b.turnStarts.add(b.tokens.size());
      b.add(SpecialToken.AGENT.id(), false);
    }
    return b;
  }

  /** A tool call as the student writes it: {@code name(arg=value, ...)}, arguments in their declared order. */
  public static String formatCall(ToolInvocation call) {
    StringJoiner args = new StringJoiner(", ", call.name() + "(", ")");
    for (Map.Entry<String, String> e : call.arguments().entrySet()) {
      args.add(e.getKey() + "=" + e.getValue());
    }
    return args.toString();
  }

  /**
   * Reads an agent turn back from the tokens the student wrote after {@code <agent>}: the node tag, then a tool call
   * or text, then (optionally) the end of turn. The inverse of the serialisation of an agent or tool turn, less the
   * tool's result: a turn with a call comes back as a {@link Role#TOOL} turn with a null result, for the caller to
   * run. The node tag never shows in the text. A call that does not parse as {@code name(arg=value, ...)} keeps its
   * whole text as the name, with no arguments, so evaluation can count it as wrong rather than lose it.
   */
  public Turn parseAgentTurn(int[] generated) {
    int end = generated.length;
    if (end > 0 && generated[end - 1] == SpecialToken.END.id()) {
      end--;
    }
    int at = 0;
    String nodeId = null;
    if (at < end && tokenizer.isNodeTag(generated[at])) {
      nodeId = tokenizer.nodeIdOf(generated[at]).orElseThrow();
      at++;
    }
    ToolInvocation call = null;
    if (at < end && generated[at] == SpecialToken.CALL.id()) {
      int close = at + 1;
      while (close < end && generated[close] != SpecialToken.CALL_END.id()) {
        close++;
      }
      call = parseCall(tokenizer.decodeText(java.util.Arrays.copyOfRange(generated, at + 1, close)));
      at = Math.min(end, close + 1);
    }
    String text = tokenizer.decodeText(java.util.Arrays.copyOfRange(generated, at, end));
    return call == null ? Turn.agent(nodeId, text) : new Turn(Role.TOOL, text, nodeId, call, null);
  }

  /** Parses {@code name(arg=value, ...)} as {@link #formatCall} writes it. */
  public static ToolInvocation parseCall(String text) {
    int open = text.indexOf('(');
    if (open <= 0 || !text.endsWith(")")) {
      return new ToolInvocation(text, Map.of());
    }
    Map<String, String> args = new java.util.LinkedHashMap<>();
    String inner = text.substring(open + 1, text.length() - 1);
    if (!inner.isEmpty()) {
      for (String part : inner.split(", ")) {
        int eq = part.indexOf('=');
        if (eq <= 0) {
          return new ToolInvocation(text, Map.of());
        }
        args.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return new ToolInvocation(text.substring(0, open), args);
  }

  /** Every text the serializer encodes for these dialogues: what a tokenizer for them should learn from. */
  public static List<String> tokenizerCorpus(String systemLine, Collection<Dialogue> dialogues) {
    List<String> out = new ArrayList<>();
    out.add(systemLine);
    for (Dialogue d : dialogues) {
      for (Turn t : d.turns()) {
        if (t.text() != null && !t.text().isEmpty()) {
          out.add(t.text());
        }
        if (t.call() != null) {
          out.add(formatCall(t.call()));
        }
        if (t.result() != null) {
          out.add(t.result());
        }
      }
    }
    return out;
  }

  private void addText(List<Integer> out, String text) {
    for (int id : tokenizer.encode(text)) {
      out.add(id);
    }
  }

  /** A sequence being built, with the offset where each turn starts. */
  private final class Built {
    final List<Integer> tokens = new ArrayList<>();
    final List<Boolean> targets = new ArrayList<>();
    final List<Integer> turnStarts = new ArrayList<>();

    void add(int id, boolean target) {
      tokens.add(id);
      targets.add(target);
    }

    void add(int[] ids, boolean target) {
      for (int id : ids) {
        add(id, target);
      }
    }

    void addText(String text, boolean target) {
      add(tokenizer.encode(text), target);
    }

    TokenSequence sequence() {
      return slice(0, 0, tokens.size(), 0);
    }

    /**
     * The first {@code head} tokens as context, then tokens {@code [start, end)}; of these, targets before
     * {@code firstTarget} are cleared (an earlier window trained them), as is the first tail token, which follows the
     * head rather than its real predecessor.
     */
    TokenSequence slice(int head, int start, int end, int firstTarget) {
      int length = head + end - start;
      int[] ids = new int[length];
      boolean[] mask = new boolean[length];
      for (int i = 0; i < head; i++) {
        ids[i] = tokens.get(i);
      }
      for (int i = start; i < end; i++) {
        int at = head + i - start;
        ids[at] = tokens.get(i);
        boolean seam = head > 0 && i == start;
        mask[at] = targets.get(i) && i >= firstTarget && !seam;
      }
      return new TokenSequence(ids, mask);
    }
  }
}
