package dev.subterra.jobs.cli;

import dev.subterra.jobs.baseline.BaselineJob;
import dev.subterra.jobs.train.TrainJob;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Trains the student (and the bag-of-words baseline) of a run. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Train the student transformer on a run's dialogues and write model/; also the MLlib baseline.")
final class TrainCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, paramLabel = "DIR",
      description = "Run directory holding workflow.json and dialogues/ (from `synthesize`).")
  String run;

  @Option(names = "--preset", defaultValue = "small", description = "tiny, small or base (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--epochs", description = "Epochs (default: the trainer's, with early stopping).")
  Integer epochs;

  @Option(names = "--vocab", defaultValue = "2000", description = "Tokenizer vocabulary size (default: ${DEFAULT-VALUE}).")
  int vocabulary;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for initialisation and batches (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--no-baseline", description = "Skip the MLlib next-node baseline, which is trained by default.")
  boolean skipBaseline;

  @Option(names = "--distributed", description = "Train on the executors with dl4j-spark's SharedTrainingMaster"
      + " (DL4J's Adam, lossy gradient sharing, no resume; see docs/distributed.md) instead of on the driver.")
  boolean distributed;

  @Option(names = "--workers", paramLabel = "N",
      description = "Training partitions of --distributed (default: Spark's default parallelism).")
  Integer workers;

  @Mixin SparkOptions sparkOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    TrainerConfig trainer = TrainerConfig.defaults(seed);
    if (epochs != null) {
      trainer = trainer.withEpochs(epochs);
    }
    StudentTrainer.Config config = new StudentTrainer.Config(preset, vocabulary, trainer);
    if (workers != null && !distributed) {
      throw new IllegalArgumentException("Invalid --workers: " + workers + " (only with --distributed)");
    }
    if (workers != null && workers < 1) {
      throw new IllegalArgumentException("Invalid --workers: " + workers + " (at least 1)");
    }
    PrintWriter out = spec.commandLine().getOut();
    SparkSession spark = sparkOptions.start("subterra train");
    try {
      int partitions = !distributed ? 0 : workers != null ? workers : spark.sparkContext().defaultParallelism();
      ModelArtefact artefact = TrainJob.on(spark).run(run).config(config).distributed(partitions).execute();
      var provenance = artefact.provenance();
      out.printf("Student %s: %,d parameters, %d epochs (%d steps) in %.0f s at %.0f tokens/s on %s;"
              + " best validation loss %s, next-tag accuracy %s%n", preset, artefact.model().parameterCount(),
          provenance.epochs(), provenance.steps(), provenance.trainingSeconds(), provenance.tokensPerSecond(),
          provenance.backend(), provenance.bestValidationLoss(), provenance.bestNextTagAccuracy());
      if (distributed) {
        out.printf("Trained by %s%n", provenance.trainingMethod());
      }
      if (!skipBaseline) {
        BaselineJob.Result result = BaselineJob.on(spark).run(run).seed(seed).execute();
        out.printf("Baseline (logistic regression over TF-IDF): next-node accuracy %s%n", result.accuracy());
      }
      out.printf("Wrote %s/model%s%n", run, skipBaseline ? "" : " and " + run + "/baseline");
    } finally {
      spark.stop();
    }
    out.flush();
    return 0;
  }
}
