package dev.subterra.jobs.cli;

import dev.subterra.jobs.compile.CompileOptions;
import dev.subterra.jobs.compile.CompilePipeline;
import dev.subterra.jobs.compile.CompilePlan;
import dev.subterra.jobs.compile.CompileResult;
import dev.subterra.jobs.compile.RunManifest;
import dev.subterra.workflow.Workflow;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the whole pipeline into one run directory through {@link CompilePipeline}: paths, synthesize, train, evaluate;
 * skips what is already done, resumes what was interrupted, and prints the final summary. {@code --dry-run} prints the
 * plan instead and starts nothing.
 */
@Command(name = "compile", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compile a workflow into a student: paths, dialogues, training and evaluation in one run directory;"
        + " stages already done are skipped and an interrupted run resumes.")
final class CompileCommand implements Callable<Integer> {
  @Mixin WorkflowFile workflowFile;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Run directory, local or hdfs:// / s3a:// (default: runs/<workflow-id>/<hash>-s<seed>).")
  String out;

  @Mixin TeacherOptions teacherOptions;

  @Option(names = "--preset", description = "Student preset: tiny, small or base (default: small).")
  String preset;

  @Option(names = "--per-path", description = "Training scenarios per path (default: 10).")
  Integer perPath;

  @Option(names = "--epochs", description = "Training epochs, with early stopping (default: " + CompileOptions.DEFAULT_EPOCHS + ").")
  Integer epochs;

  @Option(names = "--eval-scenarios", paramLabel = "N",
      description = "Fresh scenarios to evaluate on, at most (default: 100).")
  Integer evalScenarios;

  @Option(names = "--seed", defaultValue = "42", description = "One seed for every stage (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--distributed", description = "Train on the executors with dl4j-spark's SharedTrainingMaster"
      + " (DL4J's Adam, lossy gradient sharing, no resume; see docs/distributed.md) instead of on the driver.")
  boolean distributed;

  @Option(names = "--workers", paramLabel = "N",
      description = "Training partitions of --distributed (default: Spark's default parallelism).")
  Integer workers;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "Driver-local directory for a remote run's checkpoints and teacher cache (default: under the"
          + " system temporary directory, named after the run).")
  Path workDir;

  @Option(names = "--dry-run",
      description = "Print the plan (stages to run or skip, expected teacher calls and spend, outputs) and exit.")
  boolean dryRun;

  @Mixin SparkOptions sparkOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Workflow workflow = workflowFile.load();
    String runDir = out != null ? out : RunDirectory.defaultFor(workflow, seed);
    CompileOptions defaults = CompileOptions.defaults(seed);
    CompileOptions options = new CompileOptions(preset != null ? preset : defaults.preset(),
        perPath != null ? perPath : defaults.perPath(), epochs != null ? epochs : defaults.epochs(),
        evalScenarios != null ? evalScenarios : defaults.evalScenarios(), teacherOptions.spec(null, seed), seed);
    if (workers != null && !distributed) {
      throw new IllegalArgumentException("Invalid --workers: " + workers + " (only with --distributed)");
    }
    if (workers != null && workers < 1) {
      throw new IllegalArgumentException("Invalid --workers: " + workers + " (at least 1)");
    }
    if (distributed) {
      // The plan only needs to know that training is distributed; the session below decides how wide.
      options = options.withDistributedWorkers(workers != null ? workers : 1);
    }
    PrintWriter stdout = spec.commandLine().getOut();
    if (dryRun) {
      CompilePlan plan = CompilePipeline.planner(new Configuration()).workflow(workflow).output(runDir)
          .options(options).workDir(workDir).plan();
      plan.lines().forEach(stdout::println);
      stdout.flush();
      return 0;
    }
    SparkSession spark = sparkOptions.start("subterra compile " + workflow.id());
    if (distributed && workers == null) {
      options = options.withDistributedWorkers(spark.sparkContext().defaultParallelism());
    }
    try {
      CompileResult result = CompilePipeline.on(spark).workflow(workflow).output(runDir).options(options)
          .workDir(workDir)
          .onStage(line -> {
            stdout.println(line);
            stdout.flush();
          })
          .execute();
      stdout.printf("Compiled %s into %s in %.0f s (ran: %s; skipped: %s)%n", workflow.id(), runDir,
          result.seconds(), result.ran().isEmpty() ? "nothing" : String.join(", ", result.ran()),
          result.skipped().isEmpty() ? "nothing" : String.join(", ", result.skipped()));
      result.summary().lines().forEach(stdout::println);
      stdout.println("  manifest           " + new org.apache.hadoop.fs.Path(runDir, RunManifest.FILE));
    } finally {
      spark.stop();
    }
    stdout.flush();
    return 0;
  }
}
