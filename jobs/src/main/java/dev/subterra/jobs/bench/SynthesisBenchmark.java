package dev.subterra.jobs.bench;

import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.jobs.spark.SparkSessions;
import dev.subterra.jobs.synthesize.SynthesisResult;
import dev.subterra.jobs.synthesize.SynthesizeJob;
import dev.subterra.synthesis.ScenarioConfig;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Template-teacher dialogues per second through the whole synthesize job (planning, writing, conformance, near-duplicate
 * removal, Parquet and JSONL output) on {@code local[1]} and {@code local[2]}, in one run. Each figure is the median of
 * {@code --repeats} timed runs after an untimed warm-up.
 */
@Command(name = "synthesize", mixinStandardHelpOptions = true,
    description = "Benchmark the synthesize job with the template teacher: local[1] vs local[2].")
public final class SynthesisBenchmark implements Callable<Integer> {
  @Option(names = "--workflows", split = ",", paramLabel = "FILE",
      defaultValue = "workflows/travel-booking.yaml,workflows/insurance-claims.yaml",
      description = "Workflow files to measure (default: ${DEFAULT-VALUE}).")
  List<Path> workflows;

  @Option(names = "--per-path", defaultValue = "10", description = "Scenarios per path (default: ${DEFAULT-VALUE}).")
  int perPath;

  @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per figure (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    out.println("Machine: " + Machine.describe());
    out.printf("Template teacher, %d scenarios per path; median of %d runs after a warm-up.%n%n", perPath, repeats);
    Path scratch = Files.createTempDirectory("subterra-bench-synth");
    List<Workflow> loaded = new ArrayList<>();
    for (Path file : workflows) {
      loaded.add(WorkflowLoader.load(file));
    }
    long[][] millis = new long[loaded.size()][2];
    long[] dialogues = new long[loaded.size()];
    for (int s = 0; s < 2; s++) {
      String master = "local[" + (s + 1) + "]";
      SparkSession spark = SparkSessions.start("subterra benchmark " + master, master);
      try {
        for (int i = 0; i < loaded.size(); i++) {
          Workflow workflow = loaded.get(i);
          Path run = scratch.resolve(workflow.id() + "-" + s);
          PathsJob.on(spark).workflow(workflow).enumeration(EnumerationConfig.withSeed(1)).output(run.toString())
              .execute();
          long[] times = new long[repeats];
          for (int r = -1; r < repeats; r++) {
            long start = System.nanoTime();
            SynthesisResult result = SynthesizeJob.on(spark).workflow(workflow).paths(run.toString())
                .scenarios(ScenarioConfig.perPath(perPath, 1)).partitions(4).output(run.toString()).execute();
            if (r >= 0) {
              times[r] = (System.nanoTime() - start) / 1_000_000;
            }
            dialogues[i] = result.draws();
          }
          Arrays.sort(times);
          millis[i][s] = times[repeats / 2];
        }
      } finally {
        spark.stop();
      }
    }
    out.println("| workflow | scenarios | local[1] dialogues/s | local[2] dialogues/s | local[2] / local[1] |");
    out.println("|---|---|---|---|---|");
    for (int i = 0; i < loaded.size(); i++) {
      out.printf("| %s | %,d | %,.0f | %,.0f | %.2f× |%n", loaded.get(i).id(), dialogues[i],
          dialogues[i] * 1000.0 / millis[i][0], dialogues[i] * 1000.0 / millis[i][1],
          millis[i][0] / (double) millis[i][1]);
    }
    out.flush();
    return 0;
  }
}
