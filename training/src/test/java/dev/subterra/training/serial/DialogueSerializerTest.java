package dev.subterra.training.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.synthesis.Role;
import dev.subterra.synthesis.ToolInvocation;
import dev.subterra.synthesis.Turn;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.tokenizer.SpecialToken;
import dev.subterra.workflow.paths.PathSplit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DialogueSerializerTest {

  private static List<Dialogue> dialogues;
  private static BpeTokenizer tokenizer;

  @BeforeAll
  static void setUp() {
    dialogues = TestDialogues.generate(20, 3);
    tokenizer = BpeTokenizer.train(
        DialogueSerializer.tokenizerCorpus(TestDialogues.WORKFLOW_NAME, dialogues), TestDialogues.NODE_IDS, 500);
  }

  @Test
  void writesTheLayoutWithTargetsOnAgentTurnsOnly() {
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 1024);
    TokenSequence seq = serializer.serialize(dialogues.get(0));
    String all = tokenizer.decode(seq.tokens());
    assertThat(all).startsWith("<bos><system>Flight booking<end><user> Hi, I am ");
    assertThat(all).contains("<agent><node:search><call>search_flights(city: ");
    assertThat(all).contains("</call><end><tool> flight: SB");

    StringBuilder targets = new StringBuilder();
    StringBuilder context = new StringBuilder();
    for (int i = 0; i < seq.length(); i++) {
      (seq.isTarget(i) ? targets : context).append(tokenizer.tokenText(seq.token(i)));
    }
    // Targets: tag, call, text and end of every agent turn; never a role token, user text or tool result.
    assertThat(targets.toString()).startsWith("<node:greet>Hello ").contains("<node:search><call>search_flights(")
        .doesNotContain("<agent>", "<user>", "<tool>", "Hi, I am", "price:");
    assertThat(context.toString()).contains("<user> Hi, I am", "<tool> flight: ")
        .doesNotContain("<node:", "<call>");
  }

  @Test
  void shortDialoguesMakeOneWindow() {
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 1024);
    assertThat(serializer.windows(dialogues.get(0))).containsExactly(serializer.serialize(dialogues.get(0)));
  }

  @Test
  void longDialoguesKeepTheSystemLineAndTrainEveryTargetOnce() {
    Dialogue longOne = longDialogue();
    int window = 64;
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, window);
    TokenSequence full = serializer.serialize(longOne);
    List<TokenSequence> windows = serializer.windows(longOne);
    assertThat(full.length()).isGreaterThan(3 * window);
    assertThat(windows).hasSizeGreaterThan(3).allMatch(w -> w.length() <= window);
    int[] system = Arrays.copyOf(full.tokens(), 5);
    for (TokenSequence w : windows) {
      assertThat(Arrays.copyOf(w.tokens(), 5)).isEqualTo(system);
    }
    int trained = windows.stream().mapToInt(TokenSequence::targetCount).sum();
    assertThat(trained).isEqualTo(full.targetCount());
    // The last window ends where the dialogue ends.
    TokenSequence last = windows.get(windows.size() - 1);
    int[] lastTokens = last.tokens();
    int[] fullTokens = full.tokens();
    assertThat(Arrays.copyOfRange(lastTokens, lastTokens.length - 20, lastTokens.length))
        .isEqualTo(Arrays.copyOfRange(fullTokens, fullTokens.length - 20, fullTokens.length));
  }

  @Test
  void promptEndsWithAnOpenAgentTurnAndFits() {
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 65);
    List<Turn> history = longDialogue().turns();
    int[] prompt = serializer.prompt(history, 64, 16);
    assertThat(prompt.length).isBetween(8, 48);
    assertThat(prompt[prompt.length - 1]).isEqualTo(SpecialToken.AGENT.id());
    assertThat(prompt[0]).isEqualTo(SpecialToken.BOS.id());
    int[] shortPrompt = serializer.prompt(dialogues.get(0).turns().subList(0, 1), 64, 16);
    assertThat(tokenizer.decode(shortPrompt)).endsWith("<end><agent>").startsWith("<bos><system>");
  }

  @Test
  void aCutHistoryLeavesOutTheAgentsOldestWordsBeforeWhatTheUserSaidOrAToolReturned() {
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 1024);
    List<Turn> history = longDialogue().turns();
    int words = 0;
    for (Turn t : history) {
      words += t.role() != Role.USER && t.text() != null ? tokenizer.encode(t.text()).length : 0;
    }
    int full = serializer.untruncatedPromptLength(history);
    // Room for everything but half the agent's words.
    int[] prompt = serializer.prompt(history, full - words / 2 + 8, 8);
    String text = tokenizer.decode(prompt);
    assertThat(prompt.length).isLessThanOrEqualTo(full - words / 2);
    for (Turn t : history) {
      if (t.role() == Role.USER) {
        assertThat(text).contains(t.text());
      }
      if (t.result() != null) {
        assertThat(text).contains(DialogueSerializer.toolResultText(t.result()));
      }
      if (t.role() != Role.USER && t.nodeId() != null) {
        assertThat(text).contains("<node:" + t.nodeId() + ">");
      }
    }
    Turn firstAgent = history.stream().filter(t -> t.role() != Role.USER).findFirst().orElseThrow();
    Turn lastAgent = history.get(history.size() - 1).role() == Role.USER ? history.get(history.size() - 2)
        : history.get(history.size() - 1);
    assertThat(text).doesNotContain(firstAgent.text()).contains(lastAgent.text()).endsWith("<agent>");

    // Training windows follow the same rule: a later window's history holds the conversation's first user turn.
    DialogueSerializer windowed = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, full - words / 2);
    List<TokenSequence> windows = windowed.windows(longDialogue());
    assertThat(windows).hasSizeGreaterThan(1);
    assertThat(tokenizer.decode(windows.get(windows.size() - 1).tokens())).contains(history.get(0).text());
  }

  @Test
  void readsAgentTurnsBackFromTheirTargets() {
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 1024);
    Dialogue dialogue = dialogues.get(0);
    TokenSequence seq = serializer.serialize(dialogue);
    List<Turn> agentTurns = dialogue.turns().stream().filter(t -> t.role() != Role.USER).toList();
    List<Turn> parsed = new ArrayList<>();
    List<Integer> current = new ArrayList<>();
    for (int i = 0; i < seq.length(); i++) {
      if (seq.isTarget(i)) {
        current.add(seq.token(i));
        if (seq.token(i) == SpecialToken.END.id()) {
          parsed.add(serializer.parseAgentTurn(current.stream().mapToInt(Integer::intValue).toArray()));
          current.clear();
        }
      }
    }
    assertThat(parsed).hasSameSizeAs(agentTurns);
    for (int i = 0; i < parsed.size(); i++) {
      Turn expected = agentTurns.get(i);
      assertThat(parsed.get(i).role()).isEqualTo(expected.role());
      assertThat(parsed.get(i).nodeId()).isEqualTo(expected.nodeId());
      assertThat(parsed.get(i).text()).isEqualTo(expected.text());
      assertThat(parsed.get(i).call()).isEqualTo(expected.call());
      assertThat(parsed.get(i).result()).isNull();
    }
  }

  @Test
  void parsesCallsAndKeepsWhatDoesNotParse() {
    assertThat(DialogueSerializer.parseCall("search(city: Oslo, date: 2026-01-02)"))
        .isEqualTo(new ToolInvocation("search", java.util.Map.of("city", "Oslo", "date", "2026-01-02")));
    ToolInvocation call = new ToolInvocation("book", new java.util.LinkedHashMap<>(java.util.Map.of("who", "Grace O'Connell")));
    assertThat(DialogueSerializer.parseCall(DialogueSerializer.formatCall(call))).isEqualTo(call);
    assertThat(DialogueSerializer.parseCall("ping()")).isEqualTo(new ToolInvocation("ping", java.util.Map.of()));
    assertThat(DialogueSerializer.parseCall("garbled(x")).isEqualTo(new ToolInvocation("garbled(x", java.util.Map.of()));
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 1024);
    assertThat(serializer.parseAgentTurn(tokenizer.encode("no tag at all")))
        .isEqualTo(Turn.agent(null, "no tag at all"));
  }

  @Test
  void toolResultsReadAsKeyValuePairsAndValuesEncodeAsInATurn() {
    assertThat(DialogueSerializer.toolResultText("{\"status\":\"success\",\"price\":780,\"ok\":true}"))
        .isEqualTo(" status: success; price: 780; ok: true");
    assertThat(DialogueSerializer.toolResultText("{\"rows\":[1,2]}")).isEqualTo(" {\"rows\":[1,2]}");
    assertThat(DialogueSerializer.toolResultText("not json {")).isEqualTo(" not json {");
    // A value the tokenizer never saw encodes to the same tokens in the user's turn and in the call.
    int[] inTurn = tokenizer.encode(" from Porto Moniz, please");
    int[] inCall = tokenizer.encode(DialogueSerializer.formatCall(new ToolInvocation("f", java.util.Map.of("to",
        "Porto Moniz"))));
    int[] value = tokenizer.encode(" Porto Moniz");
    assertThat(java.util.Collections.indexOfSubList(java.util.Arrays.stream(inTurn).boxed().toList(),
        java.util.Arrays.stream(value).boxed().toList())).isPositive();
    assertThat(java.util.Collections.indexOfSubList(java.util.Arrays.stream(inCall).boxed().toList(),
        java.util.Arrays.stream(value).boxed().toList())).isPositive();
  }

  @Test
  void rejectsUnknownNodesAndTinyWindows() {
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 256);
    Dialogue bad = new Dialogue("x", "s", "w", "p", "t", PathSplit.TRAIN, List.of(Turn.agent("nowhere", "hi")));
    assertThatThrownBy(() -> serializer.serialize(bad)).hasMessageStartingWith("Invalid nodeId: nowhere");
    assertThatThrownBy(() -> new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 16))
        .hasMessageStartingWith("Invalid systemLine: Flight booking");
  }

  private static Dialogue longDialogue() {
    List<Turn> turns = new ArrayList<>();
    for (Dialogue d : dialogues.subList(0, 4)) {
      turns.addAll(d.turns());
    }
    return new Dialogue("long", "s", "flights", "p", "template", PathSplit.TRAIN, turns);
  }
}
