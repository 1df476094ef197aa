package dev.subterra.training.artefact;

import dev.subterra.training.Backend;
import dev.subterra.training.model.StudentConfig;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.training.train.TrainingResult;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Properties;

/**
 * How a model artefact was made: its inputs' hashes, its full configuration and seed, how training went, and the
 * software and backend that made it. Written as {@code provenance.json}; enough to retrain the model and compare.
 *
 * @param format the artefact format version
 * @param createdAt when the artefact was written (ISO-8601)
 * @param workflowId the compiled workflow's id
 * @param workflowContentHash the workflow's content hash
 * @param systemLine the line every sequence starts with
 * @param trainingDataHash the hash of the training and validation windows
 * @param tokenizerHash the SHA-256 of {@code tokenizer.json}
 * @param weightsHash the SHA-256 of {@code weights.bin}
 * @param student the model's configuration
 * @param trainer the trainer's configuration
 * @param seed the training seed (also in {@code trainer}, repeated because it is what a reader looks for)
 * @param epochs epochs run
 * @param steps optimiser steps taken
 * @param stoppedEarly whether early stopping ended training
 * @param bestEpoch the epoch whose weights these are (0 without validation data)
 * @param bestValidationLoss their validation loss, null without validation data
 * @param bestNextTagAccuracy their next-tag accuracy on validation, null when unknown
 * @param subterraVersion Subterra's version
 * @param dl4jVersion DL4J's (ND4J's) version
 * @param javaVersion the Java runtime
 * @param os the operating system and architecture
 * @param backend the ND4J backend that trained the model, such as {@code cpu+onednn}
 * @param trainingSeconds time spent training, over all attempts of a resumed run
 * @param tokensPerSecond training throughput
 * @param trainingMethod what trained the model ({@link TrainingResult#TRAINER}, or dl4j-spark's distributed training
 *     and its set-up); null in artefacts written before it was recorded, which the trainer made
 */
public record ModelProvenance(
    int format,
    String createdAt,
    String workflowId,
    String workflowContentHash,
    String systemLine,
    String trainingDataHash,
    String tokenizerHash,
    String weightsHash,
    StudentConfig student,
    TrainerConfig trainer,
    long seed,
    int epochs,
    long steps,
    boolean stoppedEarly,
    int bestEpoch,
    Double bestValidationLoss,
    Double bestNextTagAccuracy,
    String subterraVersion,
    String dl4jVersion,
    String javaVersion,
    String os,
    String backend,
    double trainingSeconds,
    double tokensPerSecond,
    String trainingMethod) {

  /** The artefact format this version writes and reads. */
  public static final int FORMAT = 1;

  /** Provenance for a model that {@code result} just trained, with this process's versions and backend. */
  public static ModelProvenance of(String workflowId, String workflowContentHash, String systemLine,
      String tokenizerHash, TrainerConfig trainer, TrainingResult result) {
    return new ModelProvenance(FORMAT, Instant.now().toString(), workflowId, workflowContentHash, systemLine,
        result.dataHash(), tokenizerHash, result.model().weightsHash(), result.model().config(), trainer,
        trainer.seed(), result.epochs(), result.steps(), result.stoppedEarly(), result.bestEpoch(),
        Double.isNaN(result.bestValidationLoss()) ? null : result.bestValidationLoss(),
        Double.isNaN(result.bestNextTagAccuracy()) ? null : result.bestNextTagAccuracy(),
        currentSubterraVersion(), currentDl4jVersion(), System.getProperty("java.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
        Backend.describe(), result.trainingSeconds(), result.tokensPerSecond(), result.method());
  }

  /** The version in this jar's manifest, or {@code dev} when run from classes. */
  public static String currentSubterraVersion() {
    String version = ModelProvenance.class.getPackage().getImplementationVersion();
    return version != null ? version : "dev";
  }

  /** The version of the nd4j-api jar on the class path, from its Maven metadata. */
  public static String currentDl4jVersion() {
    try (InputStream in = ModelProvenance.class.getClassLoader()
        .getResourceAsStream("META-INF/maven/org.nd4j/nd4j-api/pom.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
