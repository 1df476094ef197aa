package dev.subterra.jobs.cli;

import dev.subterra.jobs.evaluate.EvaluateJob;
import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.jobs.paths.PathsJobResult;
import dev.subterra.jobs.synthesize.SynthesisResult;
import dev.subterra.jobs.synthesize.SynthesizeJob;
import dev.subterra.jobs.synthesize.TeacherSpec;
import dev.subterra.jobs.train.TrainJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.EnumerationConfig;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the whole pipeline into one run directory: paths, synthesize (template teacher), train, evaluate. Each stage
 * is the same job the single commands run; skipping unchanged stages, the manifest and nightly promotion come with
 * issue 6.
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
    TrainerConfig trainer = epochs == null ? TrainerConfig.defaults(seed) : TrainerConfig.defaults(seed).withEpochs(epochs);
    StudentTrainer.Config student = new StudentTrainer.Config(preset, StudentTrainer.Config.of(preset, seed)
        .vocabularySize(), trainer);
    PrintWriter stdout = spec.commandLine().getOut();
    long started = System.currentTimeMillis();
    SparkSession spark = sparkOptions.start("subterra compile " + workflow.id());
    try {
      PathsJobResult paths = PathsJob.on(spark).workflow(workflow).enumeration(EnumerationConfig.withSeed(seed))
          .output(runDir).execute();
      stdout.printf("[1/4] paths: %,d (%s)%n", paths.paths(), paths.splits());
      stdout.flush();
      SynthesisResult dialogues = SynthesizeJob.on(spark).workflow(workflow).paths(runDir)
          .scenarios(ScenarioConfig.perPath(perPath, seed)).teacher(TeacherSpec.template()).output(runDir).execute();
      stdout.printf("[2/4] dialogues: %,d accepted of %,d drawn%n", dialogues.accepted(), dialogues.draws());
      stdout.flush();
      ModelArtefact model = TrainJob.on(spark).run(runDir).config(student).execute();
      stdout.printf("[3/4] student: %,d parameters, %d epochs in %.0f s, next-tag accuracy %s%n",
          model.model().parameterCount(), model.provenance().epochs(), model.provenance().trainingSeconds(),
          model.provenance().bestNextTagAccuracy());
      stdout.flush();
      EvaluateJob.Result eval = EvaluateJob.on(spark).run(runDir).scenarios(1, evalScenarios).seed(seed).execute();
      var summary = eval.metrics().summary();
      stdout.printf("[4/4] evaluation on %d fresh scenarios: node accuracy %.3f, path fidelity %.3f, held-out path"
              + " fidelity %.3f; cost per conversation $%.8f vs in-context $%.6f (%.0f×)%n", eval.scenarios(),
          summary.nodeAccuracy().value(), summary.pathFidelity().value(), summary.heldoutPathFidelity().value(),
          eval.cost().studentUsdPerConversation().doubleValue(), eval.cost().inContextUsdPerConversation().doubleValue(),
          eval.cost().ratioInContext());
      stdout.printf("Compiled %s into %s in %.0f s (report: %s/report.md)%n", workflow.id(), runDir,
          (System.currentTimeMillis() - started) / 1000.0, eval.evalDir());
    } finally {
      spark.stop();
    }
    stdout.flush();
    return 0;
  }
}
