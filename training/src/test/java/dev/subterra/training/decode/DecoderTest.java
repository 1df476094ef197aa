package dev.subterra.training.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.serial.DialogueSerializer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DecoderTest {

  /** Float32 with another summation order than SameDiff's: logits agree to this, absolutely. */
  private static final float LOGIT_TOLERANCE = 1e-4f;
  private static ModelArtefact artefact;
  private static Decoder decoder;
  private static List<int[]> prompts;

  @BeforeAll
  static void setUp() throws Exception {
    artefact = ModelArtefact.load(Path.of(DecoderTest.class.getResource("/golden/v1/model").toURI()));
    decoder = new Decoder(artefact.model());
    DialogueSerializer serializer = artefact.serializer();
    int context = artefact.model().config().contextLength();
    prompts = new ArrayList<>();
    List<Dialogue> dialogues = TestDialogues.generate(3, 99);
    prompts.add(serializer.prompt(dialogues.get(0).turns().subList(0, 1), context, 16));
    prompts.add(serializer.prompt(dialogues.get(1).turns().subList(0, 5), context, 16));
    prompts.add(serializer.prompt(dialogues.get(2).turns().subList(0, 3), context, 16));
  }

  @Test
  void cachedDecodingGivesTheTokensOfRerunningThePrefix() {
    for (int[] prompt : prompts) {
      Generation cached = decoder.generate(prompt, DecodingConfig.greedy(16));
      Generation uncached = decoder.generateUncached(prompt, DecodingConfig.greedy(16));
      assertThat(cached).isEqualTo(uncached);
      assertThat(cached.tokens()).isNotEmpty();
    }
  }

  @Test
  void theStepKernelComputesWhatTheSameDiffGraphDefines() {
    // The golden model (tied head), an untied one with perturbed gains, and one that also embeds each position's
    // previous token, against the whole-sequence graph.
    dev.subterra.training.model.StudentConfig untied =
        new dev.subterra.training.model.StudentConfig(2, 32, 4, 16, 60, 0.0, false);
    java.util.Map<String, org.nd4j.linalg.api.ndarray.INDArray> w =
        dev.subterra.training.model.TransformerGraph.initialWeights(untied, 4);
    w.forEach((name, a) -> {
      if (name.endsWith("_gain")) {
        a.addi(org.nd4j.linalg.factory.Nd4j.linspace(-0.5, 0.5, a.length(), a.dataType()));
      }
    });
    dev.subterra.training.model.StudentConfig shifted = untied.withPreviousTokenEmbedding(true);
    for (dev.subterra.training.model.StudentModel model : List.of(artefact.model(),
        dev.subterra.training.model.StudentModel.of(untied, w),
        dev.subterra.training.model.StudentModel.of(shifted,
            dev.subterra.training.model.TransformerGraph.initialWeights(shifted, 5)))) {
      int vocabulary = model.config().vocabularySize();
      int[] tokens = new Random(8).ints(Math.min(model.config().contextLength(), 40), 9, vocabulary).toArray();
      float[][] reference = model.logits(tokens);
      StepKernel kernel = new StepKernel(model);
      StepKernel.Cache cache = kernel.newCache(1);
      float[] logits = new float[vocabulary];
      for (int t = 0; t < tokens.length; t++) {
        kernel.step(cache, new int[] {tokens[t]}, new int[] {t > 0 ? tokens[t - 1] : StepKernel.NONE}, new int[] {t},
            new boolean[] {true}, logits);
        for (int v = 0; v < vocabulary; v++) {
          assertThat(logits[v]).as("position %d token %d", t, v)
              .isCloseTo(reference[t][v], org.assertj.core.api.Assertions.within(LOGIT_TOLERANCE));
        }
      }
    }
  }

  @Test
  void sampledDecodingToo() {
    DecodingConfig sampled = DecodingConfig.sampled(12, 1.0, 0.9, 5);
    for (int[] prompt : prompts) {
      assertThat(decoder.generate(prompt, sampled)).isEqualTo(decoder.generateUncached(prompt, sampled));
    }
  }

  @Test
  void aBatchDecodesLikeEachConversationAlone() {
    List<Generation> batch = decoder.generate(prompts, DecodingConfig.greedy(16));
    for (int i = 0; i < prompts.size(); i++) {
      assertThat(batch.get(i)).isEqualTo(decoder.generate(prompts.get(i), DecodingConfig.greedy(16)));
    }
  }

  @Test
  void constrainedDecodingStartsEveryTurnWithANodeTag() {
    Decoder constrained = Decoder.constrainedToTags(artefact.model(), artefact.tokenizer());
    // A prompt that ends in the middle of a user turn: left free, the model would not write a tag here.
    int[] odd = java.util.Arrays.copyOf(prompts.get(1), prompts.get(1).length - 3);
    List<int[]> all = new ArrayList<>(prompts);
    all.add(odd);
    List<Generation> batch = constrained.generate(all, DecodingConfig.greedy(8));
    for (int i = 0; i < all.size(); i++) {
      Generation g = batch.get(i);
      assertThat(artefact.tokenizer().isNodeTag(g.tokens()[0])).isTrue();
      assertThat(g).isEqualTo(constrained.generateUncached(all.get(i), DecodingConfig.greedy(8)));
      Generation free = decoder.generate(all.get(i), DecodingConfig.greedy(8));
      assertThat(g.firstTokenConstrained()).isEqualTo(!artefact.tokenizer().isNodeTag(free.tokens()[0]));
      assertThat(free.firstTokenConstrained()).isFalse();
    }
  }

  @Test
  void groundedDecodingGivesTheSameTokensCachedOrNotAndAloneOrInABatch() {
    Decoder grounded = Decoder.constrained(artefact.model(), artefact.tokenizer(), true, new GroundedCalls(
        artefact.tokenizer(), java.util.Map.of("search_flights", List.of("city", "date"), "book_flight",
        List.of("flight"))));
    List<Generation> batch = grounded.generate(prompts, DecodingConfig.greedy(16));
    for (int i = 0; i < prompts.size(); i++) {
      assertThat(batch.get(i)).isEqualTo(grounded.generateUncached(prompts.get(i), DecodingConfig.greedy(16)))
          .isEqualTo(grounded.generate(prompts.get(i), DecodingConfig.greedy(16)));
    }
  }

  @Test
  void stopsAtTheTokenLimitOrTheContext() {
    Generation limited = decoder.generate(prompts.get(0), new DecodingConfig(3, 5.0, 1.0, 1));
    assertThat(limited.tokens().length).isLessThanOrEqualTo(3);
    int context = artefact.model().config().contextLength();
    int[] nearlyFull = new int[context - 2];
    System.arraycopy(prompts.get(1), 0, nearlyFull, 0, Math.min(prompts.get(1).length, nearlyFull.length));
    Generation full = decoder.generate(nearlyFull, new DecodingConfig(50, 50.0, 1.0, 2));
    // Positions context-2 and context-1 are free; a full context still predicts one more token.
    assertThat(full.tokens().length).isLessThanOrEqualTo(3);
    if (full.tokens().length == 3) {
      assertThat(full.stop()).isIn(Generation.Stop.CONTEXT_FULL, Generation.Stop.END_OF_TURN);
    }
    assertThat(full).isEqualTo(decoder.generateUncached(nearlyFull, new DecodingConfig(50, 50.0, 1.0, 2)));
  }

  @Test
  void samplingIsSeeded() {
    DecodingConfig a = DecodingConfig.sampled(12, 1.5, 1.0, 11);
    assertThat(decoder.generate(prompts.get(2), a)).isEqualTo(decoder.generate(prompts.get(2), a));
    float[] logits = {0f, 3f, 2.9f, -5f};
    DecodingConfig nucleus = DecodingConfig.sampled(1, 1.0, 0.5, 0);
    Random random = new Random(0);
    for (int i = 0; i < 50; i++) {
      assertThat(Decoder.pick(logits, nucleus, random)).isIn(1, 2);
    }
    assertThat(Decoder.pick(logits, DecodingConfig.greedy(1), random)).isEqualTo(1);
  }

  @Test
  void rejectsBadSettings() {
    assertThatThrownBy(() -> DecodingConfig.sampled(5, 1.0, 0.0, 1)).hasMessage("Invalid topP: 0.0");
    assertThatThrownBy(() -> DecodingConfig.greedy(0)).hasMessage("Invalid maxNewTokens: 0");
    assertThatThrownBy(() -> decoder.generate(new int[] {1}, DecodingConfig.greedy(1)))
        .hasMessageStartingWith("Invalid prompt: 1 tokens");
  }
}
