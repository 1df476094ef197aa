package dev.subterra.jobs.cli;

import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.jobs.paths.PathsJobResult;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathSplit;
import dev.subterra.workflow.paths.SplitConfig;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Enumerates a workflow's paths on Spark and writes them to a run directory. */
@Command(name = "paths", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Enumerate every path of a workflow on Spark and write them as Parquet with their splits.")
final class PathsCommand implements Callable<Integer> {
  @Mixin WorkflowFile workflowFile;

  @Option(names = "--out", paramLabel = "DIR",
      description = "Run directory (local path, hdfs:// or s3a://). Default: runs/<workflow-id>/<content-hash>-s<seed>.")
  String out;

  @Mixin SparkOptions sparkOptions;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for sampling and splits (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-loops", defaultValue = "" + EnumerationConfig.DEFAULT_MAX_LOOPS,
      description = "Times a path may come back to a node: 0 gives acyclic paths (default: ${DEFAULT-VALUE}).")
  int maxLoops;

  @Option(names = "--max-paths", defaultValue = "" + EnumerationConfig.DEFAULT_MAX_PATHS,
      description = "Past this many paths, draw an edge-covering seeded sample of this size (default: ${DEFAULT-VALUE}).")
  long maxPaths;

  @Option(names = "--partitions", description = "Partitions to enumerate in (default: Spark's parallelism).")
  Integer partitions;

  @Option(names = "--validation", defaultValue = "0.05", description = "Share of validation paths (default: ${DEFAULT-VALUE}).")
  double validation;

  @Option(names = "--test", defaultValue = "0.10", description = "Share of test paths (default: ${DEFAULT-VALUE}).")
  double test;

  @Option(names = "--heldout", defaultValue = "0.10",
      description = "Share of held-out paths that no training dialogue follows (default: ${DEFAULT-VALUE}).")
  double heldout;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    Workflow workflow = workflowFile.load();
    EnumerationConfig enumeration = new EnumerationConfig(maxLoops, maxPaths, seed);
    SplitConfig split = new SplitConfig(validation, test, heldout);
    String runDir = out != null ? out : RunDirectory.defaultFor(workflow, seed);
    PrintWriter stdout = spec.commandLine().getOut();
    stdout.println("Workflow " + WorkflowFile.describe(workflow));
    stdout.flush();

    SparkSession spark = sparkOptions.start("subterra paths " + workflow.id());
    try {
      PathsJob job = PathsJob.on(spark).workflow(workflow).enumeration(enumeration).split(split).output(runDir);
      if (partitions != null) {
        job.partitions(partitions);
      }
      PathsJobResult result = job.execute();
      print(stdout, workflow, enumeration, result);
    } finally {
      spark.stop();
    }
    return 0;
  }

  private static void print(PrintWriter out, Workflow workflow, EnumerationConfig config, PathsJobResult result) {
    long branching = workflow.nodes().stream().filter(n -> n.isBranching()).count();
    out.printf("Decision hubs %d, branching nodes %d%n", workflow.count(dev.subterra.workflow.NodeKind.DECISION),
        branching);
    out.printf("Paths %,d (%s, loops unrolled up to %d time%s, seed %d)%n", result.paths(),
        result.sampled() ? "SAMPLED: the path space exceeds --max-paths " + config.maxPaths() : "enumerated in full",
        config.maxLoops(), config.maxLoops() == 1 ? "" : "s", config.seed());
    StringBuilder splits = new StringBuilder("  splits:");
    for (PathSplit s : PathSplit.values()) {
      splits.append(String.format(" %s %,d", s.wireName(), result.splits().get(s)));
    }
    out.println(splits);
    List<String> nodes = result.coverage().uncoveredNodes();
    List<String> edges = result.coverage().uncoveredEdges();
    if (nodes.isEmpty() && edges.isEmpty()) {
      out.printf("  coverage: every node (%d) and edge (%d) lies on a path%n", result.coverage().nodes().size(),
          result.coverage().edges().size());
    } else {
      out.printf("  coverage: %d node(s) and %d edge(s) lie on no path: %s %s (raise --max-loops?)%n",
          nodes.size(), edges.size(), nodes, edges);
    }
    out.printf("Wrote %s (workflow.json, paths/, paths.json) in %.1f s%n", result.outputDir(), result.millis() / 1000.0);
    out.flush();
  }
}
