package dev.subterra.training.artefact;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.TestDialogues;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.train.Trainer;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.training.train.TrainingData;
import dev.subterra.training.train.TrainingResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden artefact in test resources and the predictions recorded beside it. {@link #main} writes them; run it only
 * when the artefact format changes on purpose, and keep the old one as well so that it still proves it loads.
 */
final class GoldenArtefact {

  static final String DIR = "golden/v1";
  static final String MODEL = "model";
  static final String PREDICTIONS = "predictions.json";

  /** What the golden model predicted: for each prompt, the next token at every position and the last logits. */
  record Predictions(List<int[]> prompts, List<int[]> argmaxes, List<float[]> lastLogits) {}

  private GoldenArtefact() {}

  static Predictions predict(StudentModel model, List<int[]> prompts) {
    List<int[]> argmaxes = new ArrayList<>();
    List<float[]> last = new ArrayList<>();
    for (int[] prompt : prompts) {
      float[][] logits = model.logits(prompt);
      int[] argmax = new int[prompt.length];
      for (int t = 0; t < prompt.length; t++) {
        for (int k = 1; k < logits[t].length; k++) {
          if (logits[t][k] > logits[t][argmax[t]]) {
            argmax[t] = k;
          }
        }
      }
      argmaxes.add(argmax);
      last.add(logits[prompt.length - 1]);
    }
    return new Predictions(prompts, argmaxes, last);
  }

  /** Trains the golden model and writes it with its predictions under {@code training/src/test/resources}. */
  public static void main(String[] args) throws Exception {
    Path root = Path.of(args.length > 0 ? args[0] : "training/src/test/resources").resolve(DIR);
    List<Dialogue> dialogues = TestDialogues.generate(20, 5);
    BpeTokenizer tokenizer = BpeTokenizer.train(
        DialogueSerializer.tokenizerCorpus(TestDialogues.WORKFLOW_NAME, dialogues), TestDialogues.NODE_IDS, 320);
    StudentConfig config = StudentConfig.tiny(tokenizer.vocabularySize());
    DialogueSerializer serializer =
        new DialogueSerializer(tokenizer, TestDialogues.WORKFLOW_NAME, config.contextLength() + 1);
    TrainerConfig trainer = new TrainerConfig(2026, 3, 8, 3e-3, 3e-4, 2, 0.01, 0.9, 0.98, 1e-8, 1.0, 0, 1000, 10);
    Path work = Files.createTempDirectory("golden");
    TrainingResult result = new Trainer(trainer).train(config, TrainingData.of(serializer, tokenizer, dialogues), work);
    ModelArtefact artefact = ModelArtefact.of("flights", "golden", TestDialogues.WORKFLOW_NAME, tokenizer, trainer,
        result);
    artefact.save(root.resolve(MODEL));
    List<int[]> prompts = new ArrayList<>();
    for (Dialogue d : dialogues.subList(0, 3)) {
      prompts.add(serializer.prompt(d.turns().subList(0, 3), config.contextLength(), 16));
    }
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .writeValue(root.resolve(PREDICTIONS).toFile(), predict(artefact.model(), prompts));
  }
}
