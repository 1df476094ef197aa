package dev.subterra.training;

import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.decode.SpanPointer;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.train.Trainer;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.training.train.TrainingData;
import dev.subterra.training.train.TrainingProgress;
import dev.subterra.training.train.TrainingResult;
import dev.subterra.workflow.Node;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.paths.PathSplit;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains a workflow's student from its dialogues, end to end: a tokenizer on the training dialogues (with a tag per
 * workflow node), windows with the loss on agent turns, the {@link Trainer}, and the {@link ModelArtefact}. The
 * student's only prompt at run time is the system line, the workflow's name: the procedure is in the weights.
 */
public final class StudentTrainer {
  /** How to build and train a student. */
  public record Config(String preset, int vocabularySize, TrainerConfig trainer) {
    public Config {
      StudentConfig.preset(preset, Math.max(2, vocabularySize));
      if (vocabularySize < 300) {
        throw new IllegalArgumentException("Invalid vocabularySize: " + vocabularySize
            + " (at least 300: the 256 bytes, the special tokens and some merges)");
      }
    }

    /** The defaults for a preset, with an explicit seed. */
    public static Config of(String preset, long seed) {
      return new Config(preset, 2000, TrainerConfig.defaults(seed));
    }
  }

  /**
   * What fits the student to its windows: by default the {@link Trainer}; a distributed job supplies its own.
   */
  @FunctionalInterface
  public interface Fit {
    /** Trains a model of {@code model} on {@code data}, keeping its checkpoints and metrics in {@code workDir}. */
    TrainingResult fit(StudentConfig model, TrainingData data, Path workDir) throws IOException;
  }

  private final Config config;
  private final Fit fit;

  public StudentTrainer(Config config, Consumer<TrainingProgress> listener) {
    this.config = config;
    this.fit = (model, data, workDir) -> new Trainer(config.trainer(), listener).train(model, data, workDir);
  }

  /** A trainer whose fitting step is {@code fit}; tokenizer, windows and artefact are as always. */
  public StudentTrainer(Config config, Fit fit) {
    this.config = config;
    this.fit = fit;
  }

  /**
   * Trains on the training and validation dialogues among {@code dialogues} and writes the artefact to
   * {@code modelDir}; {@code workDir} keeps checkpoints, so that a killed run resumes where it stopped.
   */
  public ModelArtefact train(Workflow workflow, Collection<Dialogue> dialogues, Path workDir, Path modelDir)
      throws IOException {
    String systemLine = workflow.displayName();
    List<Dialogue> training = dialogues.stream().filter(d -> d.split() == PathSplit.TRAIN).toList();
    if (training.isEmpty()) {
      throw new IllegalArgumentException("Cannot train a student for " + workflow.id() + ": no training dialogues");
    }
    List<String> nodeIds = workflow.nodes().stream().map(Node::id).toList();
    BpeTokenizer tokenizer = BpeTokenizer.train(DialogueSerializer.tokenizerCorpus(systemLine, training), nodeIds,
        config.vocabularySize());
    StudentConfig model = StudentConfig.preset(config.preset(), tokenizer.vocabularySize());
    DialogueSerializer serializer = new DialogueSerializer(tokenizer, systemLine, model.contextLength() + 1);
    TrainingData data = TrainingData.of(serializer, tokenizer, dialogues);
    TrainingResult result = fit.fit(model, data, workDir);
    // The span pointer learns where open values are from the same training dialogues, in a few seconds.
    SpanPointer pointer = SpanPointer.train(workflow, training, config.trainer().seed());
    ModelArtefact artefact = ModelArtefact.of(workflow.id(), WorkflowCodec.contentHash(workflow), systemLine,
        tokenizer, config.trainer(), result, pointer);
    artefact.save(modelDir);
    return artefact;
  }
}
