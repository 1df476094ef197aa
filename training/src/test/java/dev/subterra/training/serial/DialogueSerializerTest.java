package dev.subterra.training.serial;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.Dialogue;
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
    assertThat(all).startsWith("<bos><system>Flight booking<end><user>Hi, I am ");
    assertThat(all).contains("<agent><node:search><call>search_flights(city=");
    assertThat(all).contains("</call><end><tool>{\"flight\":\"SB");

    StringBuilder targets = new StringBuilder();
    StringBuilder context = new StringBuilder();
    for (int i = 0; i < seq.length(); i++) {
      (seq.isTarget(i) ? targets : context).append(tokenizer.tokenText(seq.token(i)));
    }
    // Targets: tag, call, text and end of every agent turn; never a role token, user text or tool result.
    assertThat(targets.toString()).startsWith("<node:greet>Hello ").contains("<node:search><call>search_flights(")
        .doesNotContain("<agent>", "<user>", "<tool>", "Hi, I am", "\"price\"");
    assertThat(context.toString()).contains("<user>Hi, I am", "<tool>{\"flight\"")
        .doesNotContain("<node:", "<call>");
  }

  @Test
  void shortDialoguesMakeOneWindow() {
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, 1024);
    assertThat(serializer.windows(dialogues.get(0))).containsExactly(serializer.serialize(dialogues.get(0)));
  }

  @Test
  void longDialoguesKeepTheHeadAndTrainEveryTargetOnce() {
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
    assertThat(prompt).hasSize(48);
    assertThat(prompt[prompt.length - 1]).isEqualTo(SpecialToken.AGENT.id());
    assertThat(prompt[0]).isEqualTo(SpecialToken.BOS.id());
    int[] shortPrompt = serializer.prompt(dialogues.get(0).turns().subList(0, 1), 64, 16);
    assertThat(tokenizer.decode(shortPrompt)).endsWith("<end><agent>").startsWith("<bos><system>");
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
