package dev.subterra.training.serial;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import java.util.ArrayList;
import java.util.Arrays;
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
 * &lt;agent&gt; [&lt;node:search&gt; &lt;call&gt; search_flights(city: Paris, date: 2026-05-01) &lt;/call&gt; &lt;end&gt;]
 * &lt;tool&gt; status: success; flight: SB512 &lt;end&gt;
 * </pre>
 *
 * <p>Brackets mark the targets: the node tag, the call and the text of each agent turn, and its end. The role tokens,
 * user turns and tool results are context, so at run time the caller appends {@code <agent>} and the student writes
 * the rest of the turn. This is the SimpleTOD layout: tag, then action, then words.
 *
 * <p>A value is written the same way wherever it occurs, so that the student can copy one it has never seen token by
 * token: a user turn and a tool result start with a space, a tool result that is a flat JSON object is written as
 * {@code key: value; ...}, and a call's values follow {@code ": "}. Byte-level BPE encodes a word with the space
 * before it ({@code " Porto"}) differently from the same word after {@code =} or {@code "}; without this, the first
 * token of every value in a call was one the user's turn never showed.
 *
 * <p>A dialogue longer than the window is cut into several windows, at turn boundaries. Each trains some consecutive
 * turns (at most half the window, but for the first) after the system line and the conversation before them, which
 * fills the rest of the window: in full while it fits, else with the oldest agent turns in brief (their tag and call,
 * without their words), else without the oldest turns. What the user said, what the tools returned and the calls made
 * are kept longest, because the values and the path are there; an agent's words are the least needed context. The
 * prompt for a next turn is cut by the same rule, so the student decodes from the kind of context it was trained on,
 * and a value given early in a long conversation (the party size, before a booking) stays in view. Every target is
 * trained exactly once; a turn too long for a window on its own is trained in pieces.
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
    for (int id : tokenizer.encode(systemLine)) {
      system.add(id);
    }
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
    List<Block> blocks = blocks(dialogue.turns());
    return window(blocks, 0, blocks.size(), Integer.MAX_VALUE);
  }

  /** The dialogue as training windows of at most {@link #windowLength()} tokens; see the class comment. */
  public List<TokenSequence> windows(Dialogue dialogue) {
    List<Block> blocks = blocks(dialogue.turns());
    int room = windowLength - systemTokens.length;
    List<TokenSequence> out = new ArrayList<>();
    int from = 0;
    while (from < blocks.size()) {
      // The first window trains all the turns that fit; a later one trains at most half its room (its first turn
      // may take it all), which leaves the rest to history.
      int cap = from == 0 ? room : room / 2;
      int to = from;
      int length = 0;
      while (to < blocks.size()) {
        int next = length + blocks.get(to).tokens.length;
        if (next > (to == from ? room : cap)) {
          break;
        }
        length = next;
        to++;
      }
      if (to == from) {
        out.addAll(pieces(blocks.get(from), room));
        from++;
        continue;
      }
      TokenSequence w = window(blocks, from, to, room - length);
      if (w.targetCount() > 0) {
        out.add(w);
      }
      from = to;
    }
    return out;
  }

  /**
   * The tokens that ask the student for the agent's next turn after {@code history}: the conversation so far, then
   * {@code <agent>}. Cut like the history of a training window so that it leaves room for {@code maxNewTokens} within
   * {@code contextLength}.
   */
  public int[] prompt(List<Turn> history, int contextLength, int maxNewTokens) {
    int budget = contextLength - maxNewTokens;
    if (budget < systemTokens.length + 2) {
      throw new IllegalArgumentException("Invalid maxNewTokens: " + maxNewTokens + " (leaves " + budget
          + " of " + contextLength + " tokens for the prompt)");
    }
    int[] before = history(blocks(history), history.size(), budget - systemTokens.length - 1);
    int[] out = Arrays.copyOf(systemTokens, systemTokens.length + before.length + 1);
    System.arraycopy(before, 0, out, systemTokens.length, before.length);
    out[out.length - 1] = SpecialToken.AGENT.id();
    return out;
  }

  /**
   * How many tokens {@link #prompt} would hold for {@code history} if nothing were cut: more than
   * {@code contextLength - maxNewTokens} means the prompt was shortened by the window rule.
   */
  public int untruncatedPromptLength(List<Turn> history) {
    int length = systemTokens.length + 1;
    for (Block b : blocks(history)) {
      length += b.tokens.length;
    }
    return length;
  }

  /**
   * Turns {@code [0, to)} as context of at most {@code budget} tokens: in full; else the oldest agent turns in brief,
   * one by one, until it fits; else the oldest turns left out; and if the latest turn alone is too long, its last
   * {@code budget} tokens.
   */
  private static int[] history(List<Block> blocks, int to, int budget) {
    boolean[] brief = new boolean[to];
    boolean[] out = new boolean[to];
    long total = 0;
    for (int i = 0; i < to; i++) {
      total += blocks.get(i).tokens.length;
    }
    for (int i = 0; i < to && total > budget; i++) {
      brief[i] = true;
      total -= blocks.get(i).tokens.length - blocks.get(i).brief.length;
    }
    for (int i = 0; i < to - 1 && total > budget; i++) {
      out[i] = true;
      total -= blocks.get(i).brief.length;
    }
    List<Integer> tokens = new ArrayList<>();
    for (int i = 0; i < to; i++) {
      if (!out[i]) {
        for (int id : brief[i] ? blocks.get(i).brief : blocks.get(i).tokens) {
          tokens.add(id);
        }
      }
    }
    int skip = (int) Math.max(0, tokens.size() - (long) budget);
    return ints(tokens.subList(skip, tokens.size()));
  }

  /** The system line, the history of turns {@code [0, from)} within {@code budget}, then turns {@code [from, to)}. */
  private TokenSequence window(List<Block> blocks, int from, int to, int budget) {
    int[] before = history(blocks, from, budget);
    List<Integer> ids = new ArrayList<>();
    List<Boolean> mask = new ArrayList<>();
    addContext(ids, mask, systemTokens);
    addContext(ids, mask, before);
    for (int i = from; i < to; i++) {
      Block b = blocks.get(i);
      for (int j = 0; j < b.tokens.length; j++) {
        ids.add(b.tokens[j]);
        mask.add(b.targets[j]);
      }
    }
    return sequence(ids, mask);
  }

  /**
   * Windows for one turn longer than {@code room}: the first {@code room} tokens, then each next half of it after
   * the rest of a window of the turn's tokens before; no other history.
   */
  private List<TokenSequence> pieces(Block block, int room) {
    List<TokenSequence> out = new ArrayList<>();
    int n = block.tokens.length;
    int covered = 0;
    while (covered < n) {
      int end = covered == 0 ? Math.min(n, room) : Math.min(n, covered + room / 2);
      int start = Math.max(0, end - room);
      List<Integer> ids = new ArrayList<>();
      List<Boolean> mask = new ArrayList<>();
      addContext(ids, mask, systemTokens);
      for (int j = start; j < end; j++) {
        ids.add(block.tokens[j]);
        // The first token of a piece follows the system line, not its real predecessor: not a target.
        mask.add(block.targets[j] && j >= covered && !(j == start && start > 0));
      }
      TokenSequence w = sequence(ids, mask);
      if (w.targetCount() > 0) {
        out.add(w);
      }
      covered = end;
    }
    return out;
  }

  private static void addContext(List<Integer> ids, List<Boolean> mask, int[] tokens) {
    for (int id : tokens) {
      ids.add(id);
      mask.add(false);
    }
  }

  private static TokenSequence sequence(List<Integer> ids, List<Boolean> mask) {
    return new TokenSequence(ints(ids), booleans(mask));
  }

  private static int[] ints(List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  private static boolean[] booleans(List<Boolean> values) {
    boolean[] out = new boolean[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }

  /**
   * One turn's tokens with their targets, and its brief form for context: an agent turn without its words (its tag,
   * call and the tool's result stay); any other turn as it is.
   */
  private record Block(int[] tokens, boolean[] targets, int[] brief) {}

  private List<Block> blocks(List<Turn> turns) {
    List<Block> out = new ArrayList<>();
    for (Turn turn : turns) {
      List<Integer> ids = new ArrayList<>();
      List<Boolean> mask = new ArrayList<>();
      List<Integer> brief = new ArrayList<>();
      if (turn.role() == Role.USER) {
        add(ids, mask, brief, SpecialToken.USER.id(), false, true);
        addText(ids, mask, brief, quoted(turn.text()), false, true);
        add(ids, mask, brief, SpecialToken.END.id(), false, true);
      } else {
        // An agent turn or a tool turn: either way the agent speaks, and a tool turn's result comes back after it.
        add(ids, mask, brief, SpecialToken.AGENT.id(), false, true);
        if (turn.nodeId() != null) {
          add(ids, mask, brief, tokenizer.nodeTagId(turn.nodeId()), true, true);
        }
        if (turn.call() != null) {
          add(ids, mask, brief, SpecialToken.CALL.id(), true, true);
          addText(ids, mask, brief, formatCall(turn.call()), true, true);
          add(ids, mask, brief, SpecialToken.CALL_END.id(), true, true);
        }
        if (turn.text() != null && !turn.text().isEmpty()) {
          addText(ids, mask, brief, turn.text(), true, false);
        }
        add(ids, mask, brief, SpecialToken.END.id(), true, true);
        if (turn.result() != null) {
          add(ids, mask, brief, SpecialToken.TOOL.id(), false, true);
          addText(ids, mask, brief, toolResultText(turn.result()), false, true);
          add(ids, mask, brief, SpecialToken.END.id(), false, true);
        }
      }
      out.add(new Block(ints(ids), booleans(mask), ints(brief)));
    }
    return out;
  }

  private static void add(List<Integer> ids, List<Boolean> mask, List<Integer> brief, int id, boolean target,
      boolean inBrief) {
    ids.add(id);
    mask.add(target);
    if (inBrief) {
      brief.add(id);
    }
  }

  private void addText(List<Integer> ids, List<Boolean> mask, List<Integer> brief, String text, boolean target,
      boolean inBrief) {
    for (int id : tokenizer.encode(text)) {
      add(ids, mask, brief, id, target, inBrief);
    }
  }

  /** A tool call as the student writes it: {@code name(arg: value, ...)}, arguments in their declared order. */
  public static String formatCall(ToolInvocation call) {
    StringJoiner args = new StringJoiner(", ", call.name() + "(", ")");
    for (Map.Entry<String, String> e : call.arguments().entrySet()) {
      args.add(e.getKey() + ARGUMENT_SEPARATOR + e.getValue());
    }
    return args.toString();
  }

  /** What separates an argument's name from its value in a call; its space makes a value encode as in a turn. */
  public static final String ARGUMENT_SEPARATOR = ": ";

  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  /** A user turn's or tool result's text as the student reads it: after a space, as a call's values are. */
  public static String quoted(String text) {
    return text == null || text.isEmpty() || text.startsWith(" ") ? text : " " + text;
  }

  /**
   * A tool result as the student reads it: a flat JSON object of strings, numbers and booleans as {@code key: value;
   * ...} (so its values encode as they do in a call), anything else as it is; after a space either way.
   */
  public static String toolResultText(String result) {
    if (result == null || !result.startsWith("{")) {
      return quoted(result);
    }
    try {
      com.fasterxml.jackson.databind.JsonNode tree = JSON.readTree(result);
      StringJoiner out = new StringJoiner("; ", " ", "");
      for (var fields = tree.fields(); fields.hasNext(); ) {
        var field = fields.next();
        if (!field.getValue().isValueNode() || field.getValue().isNull()) {
          return quoted(result);
        }
        out.add(field.getKey() + ARGUMENT_SEPARATOR + field.getValue().asText());
      }
      return out.toString();
    } catch (com.fasterxml.jackson.core.JsonProcessingException notJson) {
      return quoted(result);
    }
  }

  /**
   * Reads an agent turn back from the tokens the student wrote after {@code <agent>}: the node tag, then a tool call
   * or text, then (optionally) the end of turn. The inverse of the serialisation of an agent or tool turn, less the
   * tool's result: a turn with a call comes back as a {@link Role#TOOL} turn with a null result, for the caller to
   * run. The node tag never shows in the text. A call that does not parse as {@code name(arg: value, ...)} keeps its
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

  /** Parses {@code name(arg: value, ...)} as {@link #formatCall} writes it. */
  public static ToolInvocation parseCall(String text) {
    int open = text.indexOf('(');
    if (open <= 0 || !text.endsWith(")")) {
      return new ToolInvocation(text, Map.of());
    }
    Map<String, String> args = new java.util.LinkedHashMap<>();
    String inner = text.substring(open + 1, text.length() - 1);
    if (!inner.isEmpty()) {
      for (String part : inner.split(", ")) {
        int eq = part.indexOf(ARGUMENT_SEPARATOR);
        if (eq <= 0) {
          return new ToolInvocation(text, Map.of());
        }
        args.put(part.substring(0, eq), part.substring(eq + ARGUMENT_SEPARATOR.length()));
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
          out.add(t.role() == Role.USER ? quoted(t.text()) : t.text());
        }
        if (t.call() != null) {
          out.add(formatCall(t.call()));
        }
        if (t.result() != null) {
          out.add(toolResultText(t.result()));
        }
      }
    }
    return out;
  }

}
