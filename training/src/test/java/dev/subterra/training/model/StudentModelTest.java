package dev.subterra.training.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

class StudentModelTest {

  private static final float LOGIT_TOLERANCE = 1e-5f;
  private static final StudentConfig CONFIG = new StudentConfig(2, 32, 4, 16, 60, 0.0, true);

  @Test
  void presetsAreValidAndCountParameters() {
    // 0.7M in the blocks and the token and position embeddings, 0.26M in the previous-token embedding.
    assertThat(StudentConfig.preset("small", 2000).parameterCount()).isBetween(900_000L, 1_000_000L);
    assertThat(StudentConfig.preset("tiny", 500).headWidth()).isEqualTo(16);
    StudentModel model = StudentModel.initialise(CONFIG, 1);
    assertThat(model.parameterCount()).isEqualTo(CONFIG.parameterCount());
    StudentConfig shifted = CONFIG.withPreviousTokenEmbedding(true);
    assertThat(StudentModel.initialise(shifted, 1).parameterCount()).isEqualTo(shifted.parameterCount());
    StudentConfig untied = new StudentConfig(2, 32, 4, 16, 60, 0.0, false);
    assertThat(StudentModel.initialise(untied, 1).parameterCount()).isEqualTo(untied.parameterCount());
  }

  @Test
  void rejectsInvalidConfigurations() {
    assertThatThrownBy(() -> new StudentConfig(2, 30, 4, 16, 60, 0.0, true))
        .hasMessageStartingWith("Invalid width: 30");
    assertThatThrownBy(() -> new StudentConfig(0, 32, 4, 16, 60, 0.0, true)).hasMessage("Invalid layers: 0");
    assertThatThrownBy(() -> new StudentConfig(1, 32, 4, 16, 60, 1.0, true)).hasMessage("Invalid dropout: 1.0");
    assertThatThrownBy(() -> StudentConfig.preset("huge", 10)).hasMessageStartingWith("Invalid preset: huge");
  }

  @Test
  void initialisationIsSeeded() {
    assertThat(StudentModel.initialise(CONFIG, 5).sameWeights(StudentModel.initialise(CONFIG, 5))).isTrue();
    assertThat(StudentModel.initialise(CONFIG, 5).sameWeights(StudentModel.initialise(CONFIG, 6))).isFalse();
  }

  @Test
  void attentionIsCausal() {
    StudentModel model = StudentModel.initialise(CONFIG, 3);
    float[][] a = model.logits(new int[] {1, 5, 9, 13, 17});
    float[][] b = model.logits(new int[] {1, 5, 9, 40, 2, 33});
    for (int t = 0; t < 3; t++) {
      for (int v = 0; v < CONFIG.vocabularySize(); v++) {
        assertThat(b[t][v]).isCloseTo(a[t][v], org.assertj.core.api.Assertions.within(LOGIT_TOLERANCE));
      }
    }
    assertThat(b[3][0]).isNotEqualTo(a[3][0]);
  }

  @Test
  void weightsRoundTripExactly(@TempDir Path dir) throws Exception {
    StudentModel model = StudentModel.initialise(CONFIG, 9);
    Path file = dir.resolve("weights.bin");
    model.saveWeights(file);
    StudentModel loaded = StudentModel.load(CONFIG, file);
    assertThat(loaded.sameWeights(model)).isTrue();
    assertThat(loaded.weightsHash()).isEqualTo(model.weightsHash());
    assertThat(loaded.logits(new int[] {1, 2, 3})).isDeepEqualTo(model.logits(new int[] {1, 2, 3}));
  }

  @Test
  void rejectsWeightsOfAnotherShape() {
    Map<String, INDArray> weights = StudentModel.initialise(CONFIG, 1).weights();
    StudentConfig wider = new StudentConfig(2, 64, 4, 16, 60, 0.0, true);
    assertThatThrownBy(() -> StudentModel.of(wider, weights)).hasMessageStartingWith("Invalid weight token_embedding");
  }
}
