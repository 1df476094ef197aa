package dev.subterra.training.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.serial.DialogueSerializer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DecodeSessionTest {
  private static final int MAX_NEW = 16;

  private static ModelArtefact artefact;
  private static List<int[]> prompts;

  @BeforeAll
  static void setUp() throws Exception {
    artefact = ModelArtefact.load(Path.of(DecodeSessionTest.class.getResource("/golden/v1/model").toURI()));
    DialogueSerializer serializer = artefact.serializer();
    int context = artefact.model().config().contextLength();
    prompts = new ArrayList<>();
    List<Dialogue> dialogues = TestDialogues.generate(4, 99);
    prompts.add(serializer.prompt(dialogues.get(0).turns().subList(0, 1), context, MAX_NEW));
    prompts.add(serializer.prompt(dialogues.get(1).turns().subList(0, 5), context, MAX_NEW));
    prompts.add(serializer.prompt(dialogues.get(2).turns().subList(0, 3), context, MAX_NEW));
    prompts.add(serializer.prompt(dialogues.get(3).turns().subList(0, 2), context, MAX_NEW));
  }

  @Test
  void conversationsThatJoinARunningBatchDecodeAsTheyWouldAlone() {
    Decoder decoder = Decoder.constrainedToTags(artefact.model(), artefact.tokenizer());
    DecodeSession session = DecodeSession.constrainedToTags(artefact.model(), artefact.tokenizer());
    DecodingConfig greedy = DecodingConfig.greedy(MAX_NEW);
    DecodingConfig sampled = DecodingConfig.sampled(MAX_NEW, 1.0, 0.9, 7);
    Map<Long, Integer> promptOf = new HashMap<>();
    Map<Long, DecodingConfig> configOf = new HashMap<>();
    Map<Long, Generation> finished = new HashMap<>();
    Map<Long, List<Integer>> streamed = new HashMap<>();
    promptOf.put(session.join(prompts.get(0), greedy), 0);
    promptOf.put(session.join(prompts.get(1), sampled), 1);
    configOf.putAll(Map.of(0L, greedy, 1L, sampled));
    int steps = 0;
    int largestBatch = 0;
    while (!session.isEmpty() || steps < 3) {
      if (steps == 2) {
        // Two more conversations join a batch that is already two tokens in.
        long a = session.join(prompts.get(2), greedy);
        long b = session.join(prompts.get(3), greedy);
        promptOf.put(a, 2);
        promptOf.put(b, 3);
        configOf.put(a, greedy);
        configOf.put(b, greedy);
      }
      List<DecodeSession.Token> tokens = session.step();
      largestBatch = Math.max(largestBatch, tokens.size());
      for (DecodeSession.Token t : tokens) {
        streamed.computeIfAbsent(t.conversation(), k -> new ArrayList<>()).add(t.token());
        if (t.isLast()) {
          finished.put(t.conversation(), t.finished());
        }
      }
      steps++;
    }
    assertThat(finished).hasSize(4);
    assertThat(largestBatch).isGreaterThan(2);
    for (Map.Entry<Long, Generation> e : finished.entrySet()) {
      int[] prompt = prompts.get(promptOf.get(e.getKey()));
      assertThat(e.getValue()).isEqualTo(decoder.generate(prompt, configOf.get(e.getKey())));
      assertThat(streamed.get(e.getKey())).containsExactlyElementsOf(
          java.util.Arrays.stream(e.getValue().tokens()).boxed().toList());
      assertThat(artefact.tokenizer().isNodeTag(e.getValue().tokens()[0])).isTrue();
    }
  }

  @Test
  void groundedCallsDecodeAsTheDecoderWritesThem() {
    Map<String, List<String>> tools = Map.of("search_flights", List.of("city", "date"), "book_flight",
        List.of("flight"));
    GroundedCalls calls = new GroundedCalls(artefact.tokenizer(), tools);
    Decoder decoder = Decoder.constrained(artefact.model(), artefact.tokenizer(), false, calls);
    DecodeSession session = DecodeSession.constrainedToTags(artefact.model(), artefact.tokenizer());
    DecodingConfig greedy = DecodingConfig.greedy(MAX_NEW);
    // Prompts that end with the search node's tag, where the golden model goes on to open a call.
    DialogueSerializer serializer = artefact.serializer();
    List<int[]> calling = new ArrayList<>(prompts);
    for (Dialogue d : TestDialogues.generate(6, 5)) {
      int[] p = serializer.prompt(d.turns().subList(0, 5), artefact.model().config().contextLength(), MAX_NEW + 1);
      int[] tagged = java.util.Arrays.copyOf(p, p.length + 1);
      tagged[p.length] = artefact.tokenizer().nodeTagId("search");
      calling.add(tagged);
    }
    Map<Long, Integer> promptOf = new HashMap<>();
    for (int i = 0; i < calling.size(); i++) {
      promptOf.put(session.join(calling.get(i), greedy, null, calls.start(calling.get(i))), i);
    }
    Map<Long, Generation> finished = new HashMap<>();
    while (!session.isEmpty()) {
      for (DecodeSession.Token t : session.step()) {
        if (t.isLast()) {
          finished.put(t.conversation(), t.finished());
        }
      }
    }
    boolean anyCall = false;
    for (Map.Entry<Long, Generation> e : finished.entrySet()) {
      int[] prompt = calling.get(promptOf.get(e.getKey()));
      // Same tokens and the same count of overridden call tokens; the first-token flag is the tag constraint's.
      Generation alone = decoder.generate(prompt, greedy);
      assertThat(e.getValue().tokens()).containsExactly(alone.tokens());
      assertThat(e.getValue().groundedOverrides()).isEqualTo(alone.groundedOverrides());
      anyCall |= java.util.Arrays.stream(alone.tokens())
          .anyMatch(id -> id == dev.subterra.training.tokenizer.SpecialToken.CALL.id());
    }
    assertThat(anyCall).as("the golden model opens a call on one of the prompts, so the grammar ran").isTrue();
  }

  @Test
  void aCancelledConversationLeavesTheOthersAlone() {
    Decoder decoder = new Decoder(artefact.model());
    DecodeSession session = DecodeSession.unconstrained(artefact.model());
    long kept = session.join(prompts.get(1), DecodingConfig.greedy(MAX_NEW));
    long dropped = session.join(prompts.get(2), DecodingConfig.greedy(MAX_NEW));
    session.step();
    session.cancel(dropped);
    Generation result = null;
    while (!session.isEmpty()) {
      for (DecodeSession.Token t : session.step()) {
        assertThat(t.conversation()).isEqualTo(kept);
        if (t.isLast()) {
          result = t.finished();
        }
      }
    }
    assertThat(result).isEqualTo(decoder.generate(prompts.get(1), DecodingConfig.greedy(MAX_NEW)));
    assertThatThrownBy(() -> session.join(new int[] {1}, DecodingConfig.greedy(1)))
        .hasMessageStartingWith("Invalid prompt: 1 tokens");
  }
}
