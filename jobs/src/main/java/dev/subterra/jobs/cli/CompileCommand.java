package dev.subterra.jobs.cli;

import dev.subterra.jobs.compile.CompileOptions;
import dev.subterra.jobs.compile.CompilePipeline;
import dev.subterra.jobs.compile.CompilePlan;
import dev.subterra.jobs.compile.CompileProfile;
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

  @Option(names = "--profile", paramLabel = "NAME",
      description = "A size of compilation: quick, default or full (preset, scenarios per path, epochs and"
          + " evaluation scenarios together; full compiles a large workflow such as insurance-claims with every path"
          + " covered). An option given explicitly overrides the profile's value (default: default).")
  String profile;

  @Option(names = "--preset", description = "Student preset: tiny, small or base (default: the profile's; small).")
  String preset;

  @Option(names = "--per-path", description = "Training scenarios per path (default: the profile's; 10).")
  Integer perPath;

  @Option(names = "--epochs", description = "Training epochs, with early stopping (default: the profile's; "
      + CompileOptions.DEFAULT_EPOCHS + ").")
  Integer epochs;

  @Option(names = "--eval-scenarios", paramLabel = "N",
      description = "Fresh scenarios to evaluate on, one per path, at most (default: the profile's; 100).")
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
    CompileProfile chosen = profile(profile);
    Workflow workflow = workflowFile.load();
    String runDir = out != null ? out : RunDirectory.defaultFor(workflow, seed);
    CompileOptions options = chosen.resolve(preset, perPath, epochs, evalScenarios, teacherOptions.spec(null, seed),
        seed);
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
      stdout.println("Profile " + chosen.describe() + overrides());
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

  /** The profile by name, or the default one; an unknown name is an {@link IllegalArgumentException} (exit 2). */
  static CompileProfile profile(String name) {
    return name == null ? CompileProfile.DEFAULT : CompileProfile.named(name);
  }

  /** The options given explicitly, which replace the profile's: {@code ; overridden by --epochs 2}. */
  private String overrides() {
    StringBuilder out = new StringBuilder();
    if (preset != null) {
      out.append(" --preset ").append(preset);
    }
    if (perPath != null) {
      out.append(" --per-path ").append(perPath);
    }
    if (epochs != null) {
      out.append(" --epochs ").append(epochs);
    }
    if (evalScenarios != null) {
      out.append(" --eval-scenarios ").append(evalScenarios);
    }
    return out.length() == 0 ? "" : "; overridden by" + out;
  }
}
