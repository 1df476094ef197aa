package dev.subterra.jobs.cli;

import dev.subterra.jobs.compile.CompileOptions;
import dev.subterra.jobs.compile.CompilePipeline;
import dev.subterra.jobs.compile.CompileResult;
import dev.subterra.jobs.synthesize.TeacherSpec;
import dev.subterra.workflow.Workflow;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the whole pipeline into one run directory through {@link CompilePipeline}: paths, synthesize (template
 * teacher), train, evaluate.
 */
@Command(name = "compile", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Compile a workflow into a student: paths, dialogues, training and evaluation in one run directory.")
final class CompileCommand implements Callable<Integer> {
  @Mixin WorkflowFile workflowFile;

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory (default: runs/<workflow-id>/<hash>-s<seed>).")
  String out;

  @Option(names = "--preset", defaultValue = "small", description = "Student preset: tiny, small or base (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--per-path", defaultValue = "10", description = "Training scenarios per path (default: ${DEFAULT-VALUE}).")
  int perPath;

  @Option(names = "--epochs", description = "Training epochs (default: the trainer's, with early stopping).")
  Integer epochs;

  @Option(names = "--eval-scenarios", defaultValue = "100",
      description = "Fresh scenarios to evaluate on, at most (default: ${DEFAULT-VALUE}).")
  int evalScenarios;

  @Option(names = "--seed", defaultValue = "42", description = "One seed for every stage (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin SparkOptions sparkOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Workflow workflow = workflowFile.load();
    String runDir = out != null ? out : RunDirectory.defaultFor(workflow, seed);
    CompileOptions options = new CompileOptions(preset, perPath, epochs, evalScenarios, TeacherSpec.template(), seed);
    PrintWriter stdout = spec.commandLine().getOut();
    SparkSession spark = sparkOptions.start("subterra compile " + workflow.id());
    try {
      CompileResult result = CompilePipeline.on(spark).workflow(workflow).output(runDir).options(options)
          .onStage(line -> {
            stdout.println(line);
            stdout.flush();
          })
          .execute();
      stdout.printf("Compiled %s into %s in %.0f s (report: %s/report.md)%n", workflow.id(), runDir,
          result.seconds(), result.evaluation().evalDir());
    } finally {
      spark.stop();
    }
    stdout.flush();
    return 0;
  }
}
