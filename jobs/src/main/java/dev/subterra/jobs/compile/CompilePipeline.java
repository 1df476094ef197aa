package dev.subterra.jobs.compile;

import dev.subterra.jobs.evaluate.EvaluateJob;
import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.jobs.paths.PathsJobResult;
import dev.subterra.jobs.synthesize.SynthesisResult;
import dev.subterra.jobs.synthesize.SynthesizeJob;
import dev.subterra.jobs.train.TrainJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.training.StudentTrainer;
import dev.subterra.training.artefact.ModelArtefact;
import dev.subterra.training.train.TrainerConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.EnumerationConfig;
import java.util.Objects;
import java.util.function.Consumer;
import org.apache.spark.sql.SparkSession;

/**
 * Compiles a workflow into a student: runs paths, synthesize, train and evaluate into one run directory, each stage
 * the same job its single command runs. Set it up fluently and call {@link #execute()} once.
 */
public final class CompilePipeline {
  private final SparkSession spark;
  private Workflow workflow;
  private String runDir;
  private CompileOptions options;
  private Consumer<String> stageListener = line -> { };

  private CompilePipeline(SparkSession spark) {
    this.spark = spark;
  }

  public static CompilePipeline on(SparkSession spark) {
    return new CompilePipeline(spark);
  }

  public CompilePipeline workflow(Workflow value) {
    this.workflow = value;
    return this;
  }

  public CompilePipeline output(String value) {
    this.runDir = value;
    return this;
  }

  public CompilePipeline options(CompileOptions value) {
    this.options = value;
    return this;
  }

  /** Receives one line per finished stage, for the console. */
  public CompilePipeline onStage(Consumer<String> value) {
    this.stageListener = value;
    return this;
  }

  public CompileResult execute() throws Exception {
    Objects.requireNonNull(workflow, "workflow");
    Objects.requireNonNull(runDir, "output");
    Objects.requireNonNull(options, "options");
    long seed = options.seed();
    long started = System.nanoTime();
    TrainerConfig trainer = options.epochs() == null ? TrainerConfig.defaults(seed)
        : TrainerConfig.defaults(seed).withEpochs(options.epochs());
    StudentTrainer.Config student = new StudentTrainer.Config(options.preset(),
        StudentTrainer.Config.of(options.preset(), seed).vocabularySize(), trainer);

    PathsJobResult paths = PathsJob.on(spark).workflow(workflow).enumeration(EnumerationConfig.withSeed(seed))
        .output(runDir).execute();
    stageListener.accept(String.format("[1/4] paths: %,d (%s)", paths.paths(), paths.splits()));
    SynthesisResult dialogues = SynthesizeJob.on(spark).workflow(workflow).paths(runDir)
        .scenarios(ScenarioConfig.perPath(options.perPath(), seed)).teacher(options.teacher()).output(runDir)
        .execute();
    stageListener.accept(String.format("[2/4] dialogues: %,d accepted of %,d drawn", dialogues.accepted(),
        dialogues.draws()));
    ModelArtefact model = TrainJob.on(spark).run(runDir).config(student).execute();
    stageListener.accept(String.format("[3/4] student: %,d parameters, %d epochs in %.0f s, next-tag accuracy %s",
        model.model().parameterCount(), model.provenance().epochs(), model.provenance().trainingSeconds(),
        model.provenance().bestNextTagAccuracy()));
    EvaluateJob.Result eval = EvaluateJob.on(spark).run(runDir).scenarios(1, options.evalScenarios()).seed(seed)
        .execute();
    var summary = eval.metrics().summary();
    stageListener.accept(String.format("[4/4] evaluation on %d fresh scenarios: node accuracy %.3f, path fidelity"
            + " %.3f, held-out path fidelity %.3f; cost per conversation $%.8f vs in-context $%.6f (%.0f×)",
        eval.scenarios(), summary.nodeAccuracy().value(), summary.pathFidelity().value(),
        summary.heldoutPathFidelity().value(), eval.cost().studentUsdPerConversation().doubleValue(),
        eval.cost().inContextUsdPerConversation().doubleValue(), eval.cost().ratioInContext()));
    return new CompileResult(runDir, paths, dialogues, model, eval, (System.nanoTime() - started) / 1e9);
  }
}
