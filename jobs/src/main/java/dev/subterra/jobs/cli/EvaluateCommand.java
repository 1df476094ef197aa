package dev.subterra.jobs.cli;

import dev.subterra.evaluation.cost.CostReport;
import dev.subterra.evaluation.metrics.Estimate;
import dev.subterra.jobs.evaluate.EvaluateJob;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Plays a run's student closed-loop and writes eval/. */
@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Play the run's student against simulated users and tools on fresh scenarios; score and price it.")
final class EvaluateCommand implements Callable<Integer> {
  @Option(names = "--run", required = true, paramLabel = "DIR",
      description = "Run directory holding workflow.json, paths/ and model/.")
  String run;

  @Option(names = "--per-path", defaultValue = "1", description = "Fresh scenarios per path (default: ${DEFAULT-VALUE}).")
  int perPath;

  @Option(names = "--scenarios", defaultValue = "" + Integer.MAX_VALUE, paramLabel = "N",
      description = "At most this many scenarios in all (default: every one).")
  int scenarios;

  @Option(names = "--k", defaultValue = "1",
      description = "Sampled runs per scenario for pass^k; 1 decodes greedily (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--seed", defaultValue = "42", description = "Seed for scenarios, sampling and bootstrap (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--hardware", defaultValue = "aws-c7i.xlarge",
      description = "Hardware the student's price assumes, from hardware-prices.json (default: ${DEFAULT-VALUE}).")
  String hardware;

  @Option(names = "--frontier", defaultValue = "gpt-4.1",
      description = "Frontier model of the baselines, from frontier-prices.json (default: ${DEFAULT-VALUE}).")
  String frontier;

  @Mixin SparkOptions sparkOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    SparkSession spark = sparkOptions.start("subterra evaluate");
    try {
      EvaluateJob.Result result = EvaluateJob.on(spark).run(run).scenarios(perPath, scenarios).k(k).seed(seed)
          .prices(hardware, frontier).execute();
      out.printf("Evaluated %d scenarios closed-loop (%s)%n", result.scenarios(), k == 1 ? "greedy" : "k=" + k);
      for (Map.Entry<String, Estimate> e : result.metrics().summary().estimates().entrySet()) {
        Estimate v = e.getValue();
        out.printf("  %-24s %s%n", e.getKey(), v.isDefined()
            ? String.format("%.3f  [%.3f, %.3f]  n=%d", v.value(), v.low(), v.high(), v.count()) : "–");
      }
      CostReport cost = result.cost();
      out.printf("Cost per conversation: student $%.8f, in-context $%.6f, orchestrated $%.6f: in-context / student"
          + " = %.0f×%n", cost.studentUsdPerConversation().doubleValue(),
          cost.inContextUsdPerConversation().doubleValue(), cost.orchestratedUsdPerConversation().doubleValue(),
          cost.ratioInContext());
      out.printf("Wrote %s (summary.json, report.md, conversations.jsonl)%n", result.evalDir());
    } finally {
      spark.stop();
    }
    out.flush();
    return 0;
  }
}
