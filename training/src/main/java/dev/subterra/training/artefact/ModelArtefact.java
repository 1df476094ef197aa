package dev.subterra.training.artefact;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.subterra.training.decode.SpanPointer;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.model.StudentModel;
import dev.subterra.training.serial.DialogueSerializer;
import dev.subterra.training.tokenizer.BpeTokenizer;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.training.train.TrainingResult;
import dev.subterra.workflow.WorkflowCodec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A trained student as it is kept with a run: a directory holding
 *
 * <ul>
 *   <li>{@value #CONFIG}: the {@link StudentConfig};
 *   <li>{@value #TOKENIZER}: the {@link BpeTokenizer};
 *   <li>{@value #WEIGHTS}: the weights, in {@link StudentModel}'s format;
 *   <li>{@value #PROVENANCE}: the {@link ModelProvenance}, including the hashes of the two files above.
 * </ul>
 *
 * <p>Saving writes a temporary directory and renames it, so a reader never sees half an artefact. Loading checks the
 * format version and both hashes, so a weights or tokenizer file swapped by hand is refused rather than run. JSON
 * keys are snake_case, as in the rest of a run's files.
 */
public record ModelArtefact(StudentModel model, BpeTokenizer tokenizer, ModelProvenance provenance,
    SpanPointer pointer) {

  public static final String CONFIG = "config.json";
  public static final String TOKENIZER = "tokenizer.json";
  public static final String WEIGHTS = "weights.bin";
  public static final String PROVENANCE = "provenance.json";

  private static final Logger LOG = LoggerFactory.getLogger(ModelArtefact.class);
  private static final ObjectMapper JSON = new ObjectMapper()
      .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(SerializationFeature.INDENT_OUTPUT)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  public ModelArtefact {
    if (model.config().vocabularySize() != tokenizer.vocabularySize()) {
      throw new IllegalArgumentException("Invalid tokenizer: " + tokenizer.vocabularySize()
          + " ids for a model of vocabulary " + model.config().vocabularySize());
    }
  }

  /** The artefact for a model that {@code result} just trained, without a span pointer. */
  public static ModelArtefact of(String workflowId, String workflowContentHash, String systemLine,
      BpeTokenizer tokenizer, TrainerConfig trainer, TrainingResult result) {
    return of(workflowId, workflowContentHash, systemLine, tokenizer, trainer, result, null);
  }

  /** The artefact for a model that {@code result} just trained, with the span pointer trained beside it (or null). */
  public static ModelArtefact of(String workflowId, String workflowContentHash, String systemLine,
      BpeTokenizer tokenizer, TrainerConfig trainer, TrainingResult result, SpanPointer pointer) {
    ModelProvenance provenance = ModelProvenance.of(workflowId, workflowContentHash, systemLine,
        WorkflowCodec.sha256Hex(tokenizer.toJson().getBytes(StandardCharsets.UTF_8)), trainer, result);
    return new ModelArtefact(result.model(), tokenizer, provenance, pointer);
  }

  /** The serializer that turns conversations into this model's prompts. */
  public DialogueSerializer serializer() {
    return new DialogueSerializer(tokenizer, provenance.systemLine(), model.config().contextLength() + 1);
  }

  /** Writes the artefact to {@code dir}, replacing whatever artefact was there. */
  public void save(Path dir) throws IOException {
    Path parent = dir.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = parent.resolve(".tmp-" + dir.getFileName());
    deleteRecursively(tmp);
    Files.createDirectories(tmp);
    JSON.writeValue(tmp.resolve(CONFIG).toFile(), model.config());
    Files.writeString(tmp.resolve(TOKENIZER), tokenizer.toJson(), StandardCharsets.UTF_8);
    model.saveWeights(tmp.resolve(WEIGHTS));
    JSON.writeValue(tmp.resolve(PROVENANCE).toFile(), provenance);
    if (pointer != null) {
      pointer.save(tmp.resolve(SpanPointer.FILE));
    }
    deleteRecursively(dir);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
    LOG.info("Wrote model artefact {} ({} parameters)", dir, model.parameterCount());
  }

  /** Reads an artefact written by {@link #save}, checking its format and hashes. */
  public static ModelArtefact load(Path dir) throws IOException {
    ModelProvenance provenance = JSON.readValue(dir.resolve(PROVENANCE).toFile(), ModelProvenance.class);
    if (provenance.format() != ModelProvenance.FORMAT) {
      throw new IOException("Cannot load " + dir + ": artefact format " + provenance.format() + " (this version reads "
          + ModelProvenance.FORMAT + ")");
    }
    StudentConfig config = JSON.readValue(dir.resolve(CONFIG).toFile(), StudentConfig.class);
    String tokenizerJson = Files.readString(dir.resolve(TOKENIZER), StandardCharsets.UTF_8);
    if (!WorkflowCodec.sha256Hex(tokenizerJson.getBytes(StandardCharsets.UTF_8)).equals(provenance.tokenizerHash())) {
      throw new IOException("Cannot load " + dir + ": " + TOKENIZER + " does not match its hash in provenance");
    }
    if (!WorkflowCodec.sha256Hex(Files.readAllBytes(dir.resolve(WEIGHTS))).equals(provenance.weightsHash())) {
      throw new IOException("Cannot load " + dir + ": " + WEIGHTS + " does not match its hash in provenance");
    }
    StudentModel model = StudentModel.load(config, dir.resolve(WEIGHTS));
    // An artefact from before the span pointer has none: its open values are the student's likelihood's alone.
    Path pointerFile = dir.resolve(SpanPointer.FILE);
    SpanPointer pointer = Files.isRegularFile(pointerFile) ? SpanPointer.load(pointerFile) : null;
    return new ModelArtefact(model, BpeTokenizer.fromJson(tokenizerJson), provenance, pointer);
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
