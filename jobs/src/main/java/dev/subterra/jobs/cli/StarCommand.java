package dev.subterra.jobs.cli;

import dev.subterra.evaluation.star.LabelScores;
import dev.subterra.evaluation.star.StarBenchmark;
import dev.subterra.evaluation.star.StarBenchmarkResult;
import dev.subterra.evaluation.star.StarOptions;
import dev.subterra.evaluation.star.StarTaskResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Runs the STAR real-dialogue benchmark through {@link StarBenchmark}: per task, a student compiled from the schema
 * alone predicts the wizard's next action in the real dialogues, next to the majority and schema-following baselines.
 *
 * <p>It runs synthesis and training through the library classes, not the Spark jobs: each task's template dialogues
 * are a few hundred, written in milliseconds, and training runs on one process either way, so Spark would add its
 * start-up and a Parquet round trip per task and nothing else.
 */
@Command(name = "star", mixinStandardHelpOptions = true, sortOptions = false,
    description = "STAR benchmark: compile a student per task from its schema alone, predict the wizard's next action"
        + " in the real dialogues, score against majority and schema-following baselines.")
final class StarCommand implements Callable<Integer> {
  @Option(names = "--schemas", required = true, paramLabel = "DIR",
      description = "STAR schemas (<task>.json); API definitions are read from ../apis beside it.")
  Path schemas;

  @Option(names = "--dialogues", required = true, paramLabel = "DIR", description = "STAR dialogues (<id>.json).")
  Path dialogues;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write results.")
  Path out;

  @Option(names = "--tasks", split = ",", paramLabel = "TASK",
      description = "Tasks to run, comma-separated (default: every task with single-task dialogues).")
  List<String> tasks;

  @Option(names = "--preset", defaultValue = "small",
      description = "Student preset: tiny, small or base (default: ${DEFAULT-VALUE}).")
  String preset;

  @Option(names = "--per-path", defaultValue = "8",
      description = "Template-teacher scenarios per schema path (default: ${DEFAULT-VALUE}).")
  int perPath;

  @Option(names = "--min-dialogues", defaultValue = "240",
      description = "The fewest template dialogues per task; tasks with few paths get more per path"
          + " (default: ${DEFAULT-VALUE}).")
  int minDialogues;

  @Option(names = "--epochs", defaultValue = "6", description = "Training epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--seed", defaultValue = "42", description = "One seed for every stage (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--baselines-only",
      description = "Score only the majority and schema-following baselines: no synthesis, no training.")
  boolean baselinesOnly;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    StarOptions defaults = StarOptions.defaults(seed);
    StarOptions options = new StarOptions(preset, perPath, minDialogues, epochs, defaults.vocabularySize(),
        defaults.batchSize(), seed, !baselinesOnly);
    StarBenchmarkResult result = StarBenchmark.create().schemas(schemas).dialogues(dialogues).output(out)
        .tasks(tasks == null ? List.of() : tasks).options(options).execute();
    PrintWriter stdout = spec.commandLine().getOut();
    for (StarTaskResult task : result.tasks()) {
      print(stdout, task.task(), task.scores().get(StarBenchmark.ALL));
    }
    print(stdout, "pooled", result.pooled().get(StarBenchmark.ALL));
    stdout.printf("STAR benchmark of %d tasks in %.0f s (report: %s)%n", result.tasks().size(), result.seconds(),
        out.resolve("report.md"));
    stdout.flush();
    return 0;
  }

  private static void print(PrintWriter out, String name, StarTaskResult.SubsetScores scores) {
    LabelScores student = scores.predictors().get(StarBenchmark.STUDENT);
    LabelScores schema = scores.predictors().get(StarBenchmark.SCHEMA);
    LabelScores majority = scores.predictors().get(StarBenchmark.MAJORITY);
    out.printf("%-18s %5d turns  accuracy student %s  schema-following %5.1f%%  majority %5.1f%%"
            + "  (weighted F1 %s / %5.1f / %5.1f)%n", name, majority.turns(),
        student == null ? "  -  " : String.format("%5.1f%%", 100 * student.accuracy()), 100 * schema.accuracy(),
        100 * majority.accuracy(), student == null ? "  -  " : String.format("%5.1f", 100 * student.weightedF1()),
        100 * schema.weightedF1(), 100 * majority.weightedF1());
  }
}
