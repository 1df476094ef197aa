package dev.subterra.jobs.train;

import dev.subterra.jobs.io.RunFiles;
import dev.subterra.jobs.synthesize.SynthesisRows;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the student of a run: reads {@code workflow.json} and the training and validation rows of
 * {@code dialogues/} with Spark, trains on the driver (a GPU executor's driver when the job is placed there), and writes
 * {@code model/}. Checkpoints go to {@code train/}, so that a killed run started again resumes from its last one.
 *
 * <p>The model and checkpoints are files on the driver's disk: the run directory must be a local path (or a mount).
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private final SparkSession spark;
  private String runDir;
  private StudentTrainer.Config config;

  private TrainJob(SparkSession spark) {
    this.spark = spark;
  }

  public static TrainJob on(SparkSession spark) {
    return new TrainJob(spark);
  }

  public TrainJob run(String value) {
    this.runDir = value;
    return this;
  }

  public TrainJob config(StudentTrainer.Config value) {
    this.config = value;
    return this;
  }

  public ModelArtefact execute() throws IOException, InvalidWorkflowException {
    Objects.requireNonNull(runDir, "run");
    Objects.requireNonNull(config, "config");
    Path run = localPath(runDir);
    RunFiles files = new RunFiles(spark.sparkContext().hadoopConfiguration());
    files.requireInput(new org.apache.hadoop.fs.Path(runDir), "workflow.json", "train", "paths");
    files.requireInput(new org.apache.hadoop.fs.Path(runDir), "dialogues", "train", "synthesize");
    Workflow workflow = WorkflowLoader.load(run.resolve("workflow.json"));
    spark.sparkContext().setJobGroup("subterra-train-" + workflow.id(), "Read the dialogues of " + runDir, false);
    List<Dialogue> dialogues;
    try {
      dialogues = spark.read().parquet(run.resolve("dialogues").toString())
          .filter(functions.col("split").isin("train", "validation"))
          .orderBy("dialogue_id").collectAsList().stream().map(SynthesisRows::dialogue).toList();
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    LOG.info("Training a {} student for {} on {} dialogues", config.preset(), workflow.id(), dialogues.size());
    return new StudentTrainer(config, progress -> LOG.info("{}", progress))
        .train(workflow, dialogues, run.resolve("train"), run.resolve("model"));
  }

  private static Path localPath(String dir) {
    URI uri = URI.create(dir.replace(" ", "%20"));
    if (uri.getScheme() != null && !uri.getScheme().equals("file")) {
      throw new IllegalArgumentException("Invalid run directory: " + dir + " (train writes model/ to the driver's"
          + " disk: give a local path or a mount)");
    }
    return uri.getScheme() == null ? Path.of(dir) : Path.of(uri);
  }
}
