package dev.subterra.training.artefact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.train.Trainer;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.training.train.TrainingData;
import dev.subterra.training.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelArtefactTest {

  private static final float GOLDEN_LOGIT_TOLERANCE = 1e-4f;

  @Test
  void savesAndLoadsToIdenticalPredictions(@TempDir Path dir) throws Exception {
    List<Dialogue> dialogues = TestDialogues.generate(10, 1);
    BpeTokenizer tokenizer = BpeTokenizer.train(
        DialogueSerializer.tokenizerCorpus(TestDialogues.WORKFLOW_NAME, dialogues), TestDialogues.NODE_IDS, 300);
    StudentConfig config = StudentConfig.tiny(tokenizer.vocabularySize());
    DialogueSerializer serializer =
        new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, config.contextLength() + 1);
    TrainerConfig trainer = new TrainerConfig(3, 1, 16, 3e-3, 3e-4, 1, 0.01, 0.9, 0.98, 1e-8, 1.0, 0, 100, 10);
    TrainingResult result = new Trainer(trainer)
        .train(config, TrainingData.of(serializer, tokenizer, dialogues), dir.resolve("work"));
    ModelArtefact artefact = ModelArtefact.of("flights", "abc123", TestDialogues.WORKFLOW_NAME, tokenizer, trainer,
        result);
    artefact.save(dir.resolve("model"));

    ModelArtefact loaded = ModelArtefact.load(dir.resolve("model"));
    assertThat(loaded.provenance()).isEqualTo(artefact.provenance());
    assertThat(loaded.tokenizer()).isEqualTo(tokenizer);
    assertThat(loaded.model().sameWeights(artefact.model())).isTrue();
    int[] prompt = loaded.serializer().prompt(dialogues.get(0).turns().subList(0, 3), config.contextLength(), 8);
    assertThat(loaded.model().logits(prompt)).isDeepEqualTo(artefact.model().logits(prompt));

    ModelProvenance p = loaded.provenance();
    assertThat(p.seed()).isEqualTo(3);
    assertThat(p.workflowContentHash()).isEqualTo("abc123");
    assertThat(p.trainingDataHash()).isEqualTo(result.dataHash());
    assertThat(p.student()).isEqualTo(config);
    assertThat(p.trainer()).isEqualTo(trainer);
    assertThat(p.backend()).isEqualTo("cpu+onednn");
    assertThat(p.dl4jVersion()).isEqualTo("1.0.0-M2.1");
    assertThat(p.javaVersion()).isEqualTo(System.getProperty("java.version"));
    assertThat(p.epochs()).isEqualTo(1);
    assertThat(p.tokensPerSecond()).isPositive();
    assertThat(Files.readString(dir.resolve("model").resolve(ModelArtefact.PROVENANCE)))
        .contains("\"workflow_content_hash\"", "\"best_validation_loss\"");
  }

  @Test
  void refusesATamperedWeightsFile(@TempDir Path dir) throws Exception {
    Path golden = Path.of(getClass().getResource("/" + GoldenArtefact.DIR + "/" + GoldenArtefact.MODEL).toURI());
    Path copy = dir.resolve("model");
    Files.createDirectories(copy);
    for (String f : List.of(ModelArtefact.CONFIG, ModelArtefact.TOKENIZER, ModelArtefact.WEIGHTS,
        ModelArtefact.PROVENANCE)) {
      Files.copy(golden.resolve(f), copy.resolve(f));
    }
    byte[] weights = Files.readAllBytes(copy.resolve(ModelArtefact.WEIGHTS));
    weights[weights.length - 1] ^= 1;
    Files.write(copy.resolve(ModelArtefact.WEIGHTS), weights);
    assertThatThrownBy(() -> ModelArtefact.load(copy))
        .hasMessageEndingWith("weights.bin does not match its hash in provenance");
  }

  @Test
  void theGoldenArtefactStillLoadsAndPredictsWhatItDid() throws Exception {
    Path golden = Path.of(getClass().getResource("/" + GoldenArtefact.DIR).toURI());
    ModelArtefact artefact = ModelArtefact.load(golden.resolve(GoldenArtefact.MODEL));
    GoldenArtefact.Predictions recorded = new ObjectMapper()
        .readValue(golden.resolve(GoldenArtefact.PREDICTIONS).toFile(), GoldenArtefact.Predictions.class);
    GoldenArtefact.Predictions now = GoldenArtefact.predict(artefact.model(), recorded.prompts());
    for (int i = 0; i < recorded.prompts().size(); i++) {
      assertThat(now.argmaxes().get(i)).isEqualTo(recorded.argmaxes().get(i));
      float[] expected = recorded.lastLogits().get(i);
      float[] actual = now.lastLogits().get(i);
      for (int k = 0; k < expected.length; k++) {
        assertThat(actual[k]).isCloseTo(expected[k], within(GOLDEN_LOGIT_TOLERANCE));
      }
    }
    assertThat(artefact.provenance().seed()).isEqualTo(2026);
    assertThat(artefact.tokenizer().nodeIds()).isEqualTo(TestDialogues.NODE_IDS);
  }
}
