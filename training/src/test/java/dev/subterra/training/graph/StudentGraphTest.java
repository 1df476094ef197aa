package dev.subterra.training.graph;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.model.TransformerGraph;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.serial.TokenSequence;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.train.Trainer;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.training.train.TrainingData;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;

class StudentGraphTest {

  private static final long SEED = 42;
  private static TrainingData data;
  private static StudentConfig modelConfig;
  private static TrainerConfig trainer;

  @BeforeAll
  static void setUp() {
    List<Dialogue> dialogues = TestDialogues.generate(20, 11);
    BpeTokenizer tokenizer = BpeTokenizer.train(
        DialogueSerializer.tokenizerCorpus(TestDialogues.WORKFLOW_NAME, dialogues), TestDialogues.NODE_IDS, 360);
    // With the previous-token embedding, as the small and base presets have it.
    modelConfig = StudentConfig.tiny(tokenizer.vocabularySize()).withPreviousTokenEmbedding(true);
    DialogueSerializer serializer =
        new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, modelConfig.contextLength() + 1);
    data = TrainingData.of(serializer, tokenizer, dialogues);
    trainer = new TrainerConfig(SEED, 1, 8, 3e-3, 3e-4, 2, 0.01, 0.9, 0.98, 1e-8, 1.0, 0, 100, 100);
  }

  @Test
  void computesWhatTheSameDiffStudentComputesAfterAJsonRoundTrip() {
    int length = StudentGraph.length(modelConfig, data);
    ComputationGraphConfiguration conf = StudentGraph.configuration(modelConfig, length, trainer, 10);
    // A Spark job ships the configuration as JSON: the copy must build the same network.
    ComputationGraph graph = StudentGraph.network(ComputationGraphConfiguration.fromJson(conf.toJson()));

    Map<String, INDArray> initial = TransformerGraph.initialWeights(modelConfig, SEED);
    Map<String, INDArray> exported = StudentGraph.weights(graph);
    assertThat(exported.keySet()).containsExactlyElementsOf(initial.keySet());
    initial.forEach((name, w) -> assertThat(exported.get(name).equalsWithEps(w, 0)).as(name).isTrue());

    StudentModel reference = StudentModel.of(modelConfig, exported);
    TokenSequence window = data.train().get(0);
    DataSet batch = StudentGraph.batch(List.of(window), length);
    INDArray probabilities = graph.outputSingle(batch.getFeatures()); // [1, vocabulary, length]
    int[] tokens = java.util.Arrays.copyOf(window.tokens(), Math.min(length, window.length() - 1));
    float[][] logits = reference.logits(tokens);
    for (int t = 0; t < tokens.length; t++) {
      double max = Double.NEGATIVE_INFINITY;
      for (float v : logits[t]) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (float v : logits[t]) {
        sum += Math.exp(v - max);
      }
      for (int k = 0; k < modelConfig.vocabularySize(); k += 7) {
        assertThat(probabilities.getDouble(0, k, t)).as("position %d token %d", t, k)
            .isCloseTo(Math.exp(logits[t][k] - max) / sum, within(1e-5));
      }
    }
  }

  @Test
  void learnsTheAgentTurnsAndExportsAModelThatValidatesBetter() {
    int length = StudentGraph.length(modelConfig, data);
    List<DataSet> batches = StudentGraph.batches(data.train(), trainer.batchSize(), length);
    int steps = 4 * batches.size();
    ComputationGraph graph = StudentGraph.network(StudentGraph.configuration(modelConfig, length, trainer, steps));
    Trainer validator = new Trainer(trainer);
    double before = validator.validate(StudentModel.of(modelConfig, StudentGraph.weights(graph)), data).loss();

    double firstScore = Double.NaN;
    for (int epoch = 0; epoch < 4; epoch++) {
      for (DataSet batch : batches) {
        graph.fit(batch);
        if (Double.isNaN(firstScore)) {
          firstScore = graph.score();
        }
      }
    }
    assertThat(graph.score()).isLessThan(firstScore);
    double after = validator.validate(StudentModel.of(modelConfig, StudentGraph.weights(graph)), data).loss();
    assertThat(after).isLessThan(before - 0.5);
  }
}
