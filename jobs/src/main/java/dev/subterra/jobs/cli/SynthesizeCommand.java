package dev.subterra.jobs.cli;

import dev.subterra.jobs.synthesize.SynthesisResult;
import dev.subterra.jobs.synthesize.SynthesizeJob;
import dev.subterra.jobs.synthesize.TeacherSpec;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.workflow.Workflow;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes dialogues that follow a workflow's paths, on Spark. */
@Command(name = "synthesize", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Have a teacher write dialogues that follow the paths of a workflow, on Spark.")
final class SynthesizeCommand implements Callable<Integer> {
  @Mixin WorkflowFile workflowFile;

  @Option(names = "--paths", paramLabel = "DIR",
      description = "Run directory holding paths/ (default: the one `paths` writes for this workflow and seed).")
  String paths;

  @Option(names = "--out", paramLabel = "DIR", description = "Run directory to write to (default: --paths).")
  String out;

  @Mixin TeacherOptions teacherOptions;

  @ArgGroup(exclusive = true)
  Amount amount = new Amount();

  static final class Amount {
    @Option(names = "--per-path", defaultValue = "10", description = "Scenarios per path (default: ${DEFAULT-VALUE}).")
    int perPath = 10;

    @Option(names = "--total", description = "Scenarios in all, weighted toward long and rare paths.")
    Long total;
  }

  @Option(names = "--seed", defaultValue = "42", description = "Seed for scenarios and teachers (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--dedup-distance", defaultValue = "" + SynthesizeJob.DEFAULT_DEDUP_DISTANCE,
      description = "Jaccard distance over word trigrams under which dialogues are near duplicates (default:"
          + " ${DEFAULT-VALUE}).")
  double dedupDistance;

  @Option(names = "--partitions", description = "Partitions to write in (default: Spark's parallelism).")
  Integer partitions;

  @Mixin SparkOptions sparkOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Workflow workflow = workflowFile.load();
    String pathsDir = paths != null ? paths : RunDirectory.defaultFor(workflow, seed);
    String runDir = out != null ? out : pathsDir;
    ScenarioConfig scenarios = amount.total != null ? ScenarioConfig.total(amount.total, seed)
        : ScenarioConfig.perPath(amount.perPath, seed);
    TeacherSpec teacherSpec = teacherOptions.spec(runDir + "/teacher-cache", seed);
    PrintWriter stdout = spec.commandLine().getOut();
    SparkSession spark = sparkOptions.start("subterra synthesize " + workflow.id());
    try {
      SynthesizeJob job = SynthesizeJob.on(spark).workflow(workflow).paths(pathsDir).scenarios(scenarios)
          .teacher(teacherSpec).dedupDistance(dedupDistance).output(runDir);
      if (partitions != null) {
        job.partitions(partitions);
      }
      print(stdout, job.execute());
    } finally {
      spark.stop();
    }
    return 0;
  }

  static void print(PrintWriter out, SynthesisResult r) {
    out.printf("Dialogues %,d accepted of %,d scenarios drawn (teacher %s, conformance %.1f%%)%n", r.accepted(),
        r.draws(), r.teacher(), 100 * r.conformanceRate());
    out.printf("  rejected %,d: %s%n", r.rejected(), r.rejectedByStage());
    r.rejectedByReason().entrySet().stream().limit(5)
        .forEach(e -> out.printf("    %,6d  %s%n", e.getValue(), abbreviate(e.getKey())));
    out.printf("  teacher calls %,d, cache hits %,d, tokens %,d in / %,d out, spend $%.4f%n", r.calls(),
        r.cacheHits(), r.inputTokens(), r.outputTokens(), r.costUsd());
    out.printf("Wrote %s (scenarios/, dialogues/, rejected/, train.jsonl with %,d dialogues, synthesis.json) in"
        + " %.1f s%n", r.outputDir(), r.trainDialogues(), r.millis() / 1000.0);
    out.flush();
  }

  private static String abbreviate(String text) {
    return text.length() <= 140 ? text : text.substring(0, 139) + "…";
  }
}
