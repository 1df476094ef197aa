package dev.subterra.jobs.bench;

import dev.subterra.jobs.paths.PathsJob;
import dev.subterra.jobs.spark.SparkSessions;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowLoader;
import dev.subterra.workflow.paths.EnumerationConfig;
import dev.subterra.workflow.paths.PathCatalog;
import dev.subterra.workflow.paths.PathEnumerator;
import dev.subterra.workflow.paths.SplitConfig;
import dev.subterra.workflow.paths.SyntheticWorkflows;
import dev.subterra.workflow.paths.WorkflowGraph;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Paths per second for the bundled and generated workflows: raw depth-first enumeration, the single-threaded
 * {@link PathCatalog} (ids, weights, splits) and the Spark {@link PathsJob} on {@code local[1]} and {@code local[2]}, all
 * in one run so that the ratios compare like with like. Each figure is the median of {@code --repeats} timed runs
 * after one untimed warm-up.
 */
@Command(name = "paths", mixinStandardHelpOptions = true,
    description = "Benchmark path enumeration: single-threaded vs Spark local[1] and local[2].")
public final class PathsBenchmark implements Callable<Integer> {
  @Option(names = "--workflows", split = ",", paramLabel = "FILE",
      defaultValue = "workflows/travel-booking.yaml,workflows/video-meeting-support.yaml,workflows/insurance-claims.yaml",
      description = "Workflow files to measure (default: the bundled ones).")
  List<Path> workflows;

  @Option(names = "--no-generated",
      description = "Skip the generated workflows with hundreds of nodes and up to a million paths.")
  boolean skipGenerated;

  @Option(names = "--repeats", defaultValue = "3", description = "Timed runs per figure (default: ${DEFAULT-VALUE}).")
  int repeats;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private record Case(Workflow workflow, EnumerationConfig config) {}

  @Override
  public Integer call() throws Exception {
    List<Case> cases = new ArrayList<>();
    for (Path file : workflows) {
      cases.add(new Case(WorkflowLoader.load(file), EnumerationConfig.withSeed(1)));
    }
    if (!skipGenerated) {
      EnumerationConfig big = new EnumerationConfig(1, 2_000_000, 1);
      cases.add(new Case(SyntheticWorkflows.ladder(16, 2, 8, false), big));
      cases.add(new Case(SyntheticWorkflows.ladder(20, 2, 5, false), big));
      cases.add(new Case(SyntheticWorkflows.ladder(9, 3, 4, true), big));
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("Machine: " + Machine.describe());
    out.printf("Median of %d runs after a warm-up; paths/s (higher is better).%n%n", repeats);
    long[][] millis = new long[cases.size()][4];
    long[] counts = new long[cases.size()];
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      WorkflowGraph graph = WorkflowGraph.of(c.workflow());
      counts[i] = count(graph, c.config());
      millis[i][0] = median(() -> count(graph, c.config()));
      millis[i][1] = median(() -> PathCatalog.build(c.workflow(), c.config(), SplitConfig.DEFAULT).paths().size());
    }
    Path scratch = Files.createTempDirectory("subterra-bench");
    for (int s = 0; s < 2; s++) {
      String master = "local[" + (s + 1) + "]";
      SparkSession spark = SparkSessions.start("subterra benchmark " + master, master);
      try {
        for (int i = 0; i < cases.size(); i++) {
          Case c = cases.get(i);
          String dir = scratch.resolve(c.workflow().id() + "-" + s).toString();
          millis[i][2 + s] = median(() -> PathsJob.on(spark).workflow(c.workflow()).enumeration(c.config())
              .partitions(8).output(dir).execute().paths());
        }
      } finally {
        spark.stop();
      }
    }
    out.println("| workflow | nodes | paths | DFS only | catalog (1 thread) | Spark local[1] | Spark local[2] |"
        + " local[2] / local[1] | local[2] / catalog |");
    out.println("|---|---|---|---|---|---|---|---|---|");
    for (int i = 0; i < cases.size(); i++) {
      long[] m = millis[i];
      out.printf("| %s | %d | %,d | %s | %s | %s | %s | %.2f× | %.2f× |%n", cases.get(i).workflow().id(),
          cases.get(i).workflow().nodes().size(), counts[i], rate(counts[i], m[0]), rate(counts[i], m[1]),
          rate(counts[i], m[2]), rate(counts[i], m[3]), m[2] / (double) Math.max(1, m[3]),
          m[1] / (double) Math.max(1, m[3]));
    }
    out.flush();
    return 0;
  }

  private static long count(WorkflowGraph graph, EnumerationConfig config) {
    AtomicLong n = new AtomicLong();
    new PathEnumerator(graph, config).extend(new PathEnumerator(graph, config).root(), p -> {
      n.incrementAndGet();
      return true;
    });
    return n.get();
  }

  private long median(Callable<?> work) throws Exception {
    work.call();
    long[] times = new long[repeats];
    for (int r = 0; r < repeats; r++) {
      long start = System.nanoTime();
      work.call();
      times[r] = (System.nanoTime() - start) / 1_000_000;
    }
    Arrays.sort(times);
    return times[repeats / 2];
  }

  private static String rate(long paths, long millis) {
    return String.format("%,.0f", paths * 1000.0 / Math.max(1, millis));
  }
}
