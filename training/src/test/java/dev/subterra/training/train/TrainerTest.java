package dev.subterra.training.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.tokenizer.BpeTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

  private static final long SEED = 42;
  private static TrainingData data;
  private static StudentConfig modelConfig;

  @BeforeAll
  static void setUp() {
    List<Dialogue> dialogues = TestDialogues.generate(20, 11);
    BpeTokenizer tokenizer = BpeTokenizer.train(
        DialogueSerializer.tokenizerCorpus(TestDialogues.WORKFLOW_NAME, dialogues), TestDialogues.NODE_IDS, 360);
    modelConfig = StudentConfig.tiny(tokenizer.vocabularySize());
    DialogueSerializer serializer =
        new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, modelConfig.contextLength() + 1);
    data = TrainingData.of(serializer, tokenizer, dialogues);
  }

  private static TrainerConfig config() {
    return new TrainerConfig(SEED, 2, 16, 3e-3, 3e-4, 2, 0.01, 0.9, 0.98, 1e-8, 1.0, 0, 4, 5);
  }

  @Test
  void learnsAndWritesMetrics(@TempDir Path dir) throws Exception {
    TrainerConfig config = config().withEpochs(3).withBatchSize(8);
    TrainingResult result = new Trainer(config).train(modelConfig, data, dir);
    List<String> lines = Files.readAllLines(dir.resolve(Trainer.METRICS_FILE));
    assertThat(lines).hasSize((int) result.steps() + 3);
    assertThat(lines.get(0)).contains("\"type\":\"step\"", "\"loss\":", "\"tokensPerSecond\":", "\"etaSeconds\":");
    assertThat(lines).filteredOn(l -> l.contains("\"type\":\"validation\"")).hasSize(3)
        .allMatch(l -> l.contains("nextTagAccuracy"));
    double firstLoss = Double.parseDouble(lines.get(0).replaceAll(".*\"loss\":([0-9.E-]+).*", "$1"));
    assertThat(result.bestValidationLoss()).isLessThan(firstLoss);
    assertThat(result.bestEpoch()).isBetween(1, 3);
    assertThat(result.tokensPerSecond()).isPositive();
    assertThat(result.dataHash()).hasSize(64);
  }

  @Test
  void aKilledRunResumesToTheSameWeights(@TempDir Path dir) throws Exception {
    TrainingResult uninterrupted = new Trainer(config()).train(modelConfig, data, dir.resolve("a"));

    Path b = dir.resolve("b");
    AtomicInteger seen = new AtomicInteger();
    Trainer killedAtStep7 = new Trainer(config(), p -> {
      if (seen.incrementAndGet() == 7) {
        throw new IllegalStateException("killed");
      }
    });
    assertThatThrownBy(() -> killedAtStep7.train(modelConfig, data, b)).hasMessage("killed");
    TrainingResult resumed = new Trainer(config()).train(modelConfig, data, b);

    assertThat(resumed.steps()).isEqualTo(uninterrupted.steps());
    assertThat(resumed.lastModel().sameWeights(uninterrupted.lastModel())).isTrue();
    assertThat(resumed.model().sameWeights(uninterrupted.model())).isTrue();
    assertThat(resumed.bestValidationLoss()).isEqualTo(uninterrupted.bestValidationLoss());
    assertThat(Files.readAllLines(b.resolve(Trainer.METRICS_FILE)))
        .hasSameSizeAs(Files.readAllLines(dir.resolve("a").resolve(Trainer.METRICS_FILE)));
    // A finished run is not trained again.
    assertThat(new Trainer(config()).train(modelConfig, data, b).lastModel().sameWeights(resumed.lastModel()))
        .isTrue();
  }

  @Test
  void dropoutResumesExactlyToo(@TempDir Path dir) throws Exception {
    StudentConfig withDropout = new StudentConfig(modelConfig.layers(), modelConfig.width(), modelConfig.heads(),
        modelConfig.contextLength(), modelConfig.vocabularySize(), 0.2, modelConfig.tiedHead());
    TrainerConfig oneEpoch = config().withEpochs(1);
    TrainingResult a = new Trainer(oneEpoch).train(withDropout, data, dir.resolve("a"));
    AtomicInteger seen = new AtomicInteger();
    Trainer killedAtStep6 = new Trainer(oneEpoch, p -> {
      if (seen.incrementAndGet() == 6) {
        throw new IllegalStateException("killed");
      }
    });
    assertThatThrownBy(() -> killedAtStep6.train(withDropout, data, dir.resolve("b"))).hasMessage("killed");
    TrainingResult b = new Trainer(oneEpoch).train(withDropout, data, dir.resolve("b"));
    TrainingResult noDropout = new Trainer(oneEpoch).train(modelConfig, data, dir.resolve("c"));
    assertThat(b.lastModel().sameWeights(a.lastModel())).isTrue();
    assertThat(a.lastModel().weights().get("final_ln_gain"))
        .isNotEqualTo(noDropout.lastModel().weights().get("final_ln_gain"));
  }

  @Test
  void stopsEarlyWhenValidationStopsImproving(@TempDir Path dir) throws Exception {
    // A learning rate far too high: validation loss soon gets worse, and patience 1 ends the run.
    TrainerConfig diverging = new TrainerConfig(SEED, 8, 16, 1.0, 1.0, 0, 0.0, 0.9, 0.98, 1e-8, 0, 1, 100, 100);
    TrainingResult result = new Trainer(diverging).train(modelConfig, data, dir);
    assertThat(result.stoppedEarly()).isTrue();
    assertThat(result.epochs()).isLessThan(8);
    assertThat(result.bestEpoch()).isEqualTo(result.epochs() - 1);
    assertThat(result.model().sameWeights(result.lastModel())).isFalse();
  }

  @Test
  void theSeedDecides(@TempDir Path dir) throws Exception {
    TrainerConfig oneEpoch = config().withEpochs(1);
    TrainingResult a = new Trainer(oneEpoch).train(modelConfig, data, dir.resolve("a"));
    TrainingResult b = new Trainer(oneEpoch).train(modelConfig, data, dir.resolve("b"));
    TrainingResult c = new Trainer(oneEpoch.withSeed(SEED + 1)).train(modelConfig, data, dir.resolve("c"));
    assertThat(a.lastModel().sameWeights(b.lastModel())).isTrue();
    assertThat(a.lastModel().sameWeights(c.lastModel())).isFalse();
  }

  @Test
  void refusesAnotherRunsCheckpoint(@TempDir Path dir) throws Exception {
    new Trainer(config().withEpochs(1)).train(modelConfig, data, dir);
    assertThatThrownBy(() -> new Trainer(config().withEpochs(1).withSeed(7)).train(modelConfig, data, dir))
        .hasMessageStartingWith("Cannot resume from ");
  }

  @Test
  void rejectsInvalidConfiguration() {
    assertThatThrownBy(() -> config().withBatchSize(0)).hasMessage("Invalid batchSize: 0");
    assertThatThrownBy(() -> config().withCheckpointEverySteps(0)).hasMessage("Invalid checkpointEverySteps: 0");
    StudentConfig wrongVocabulary = StudentConfig.tiny(modelConfig.vocabularySize() + 1);
    assertThatThrownBy(() -> new Trainer(config()).train(wrongVocabulary, data, Path.of("unused")))
        .hasMessageStartingWith("Invalid vocabularySize: ");
  }

  @Test
  void scheduleWarmsUpThenDecays() {
    TrainerConfig c = config();
    assertThat(c.learningRateAt(0, 100)).isEqualTo(1.5e-3);
    assertThat(c.learningRateAt(2, 100)).isEqualTo(3e-3);
    assertThat(c.learningRateAt(100, 100)).isEqualTo(3e-4);
    assertThat(c.learningRateAt(51, 100)).isBetween(3e-4, 3e-3);
  }
}
