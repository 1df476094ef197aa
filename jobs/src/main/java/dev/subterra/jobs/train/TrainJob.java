package dev.subterra.jobs.train;

import dev.subterra.jobs.io.ContentHash;
import dev.subterra.jobs.io.RunFiles;
import dev.subterra.jobs.synthesize.SynthesisRows;
import dev.subterra.synthesis.Dialogue;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * <p>The run directory may be any Hadoop path. The trainer works on the driver's disk: for a local run directory
 * checkpoints go to its {@code train/}; for a remote one (HDFS, S3) to {@link #workDir} (by default a directory under
 * {@code java.io.tmpdir} named after the run), and the finished {@code model/} is copied to the run directory and
 * committed atomically. A remote run resumes from its checkpoints when it is started again on the same driver.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private final SparkSession spark;
  private String runDir;
  private StudentTrainer.Config config;
  private Path workDir;
  private int distributedWorkers;

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

  /** Where the trainer keeps {@code train/} (checkpoints, metrics) when the run directory is not local. */
  public TrainJob workDir(Path value) {
    this.workDir = value;
    return this;
  }

  /**
   * Trains on the executors with dl4j-spark's {@code SharedTrainingMaster} over {@code workers} partitions instead of
   * on the driver (see {@link SharedTrainingFit} for what that gives up); 0, the default, trains on the driver.
   */
  public TrainJob distributed(int workers) {
    if (workers < 0) {
      throw new IllegalArgumentException("Invalid workers: " + workers);
    }
    this.distributedWorkers = workers;
    return this;
  }

  /** The driver-local directory that holds a run's {@code train/}: the run itself when local, else a work directory. */
  public static Path localWork(RunFiles files, String runDir, Path workDir) throws IOException {
    org.apache.hadoop.fs.Path run = new org.apache.hadoop.fs.Path(runDir);
    if (files.isLocal(run)) {
      return files.local(run);
    }
    if (workDir != null) {
      return workDir;
    }
    String qualified = files.qualified(run).toString();
    return Path.of(System.getProperty("java.io.tmpdir"), "subterra-work",
        ContentHash.ofText(qualified).substring(0, 16));
  }

  public ModelArtefact execute() throws IOException, InvalidWorkflowException {
    Objects.requireNonNull(runDir, "run");
    Objects.requireNonNull(config, "config");
    RunFiles files = new RunFiles(spark.sparkContext().hadoopConfiguration());
    org.apache.hadoop.fs.Path run = new org.apache.hadoop.fs.Path(runDir);
    files.requireInput(run, "workflow.json", "train", "paths");
    files.requireInput(run, "dialogues", "train", "synthesize");
    Workflow workflow = WorkflowLoader.parse("workflow.json",
        files.readText(new org.apache.hadoop.fs.Path(run, "workflow.json")).getBytes(StandardCharsets.UTF_8),
        WorkflowLoader.Format.JSON);
    spark.sparkContext().setJobGroup("subterra-train-" + workflow.id(), "Read the dialogues of " + runDir, false);
    List<Dialogue> dialogues;
    try {
      dialogues = spark.read().parquet(new org.apache.hadoop.fs.Path(run, "dialogues").toString())
          .filter(functions.col("split").isin("train", "validation"))
          .orderBy("dialogue_id").collectAsList().stream().map(SynthesisRows::dialogue).toList();
    } finally {
      spark.sparkContext().clearJobGroup();
    }
    LOG.info("Training a {} student for {} on {} dialogues", config.preset(), workflow.id(), dialogues.size());
    StudentTrainer trainer = distributedWorkers > 0
        ? new StudentTrainer(config, new SharedTrainingFit(spark, config.trainer(), distributedWorkers,
            SharedTrainingFit.transport(spark)))
        : new StudentTrainer(config, progress -> {
          // One console line every logEverySteps steps and at the end; every step goes to the metrics file.
          if (progress.step() % config.trainer().logEverySteps() == 0 || progress.step() == progress.totalSteps()) {
            LOG.info("{}", progress);
          }
        });
    Path work = localWork(files, runDir, workDir);
    if (files.isLocal(run)) {
      return trainer.train(workflow, dialogues, work.resolve("train"), work.resolve("model"));
    }
    Path staged = work.resolve("model");
    ModelArtefact artefact = trainer.train(workflow, dialogues, work.resolve("train"), staged);
    files.publish(staged, new org.apache.hadoop.fs.Path(run, "model"));
    LOG.info("Copied the model of {} to {}/model", workflow.id(), runDir);
    return artefact;
  }
}
