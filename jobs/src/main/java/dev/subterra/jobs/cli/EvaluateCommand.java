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

  @Option(names = "--judge-url", paramLabel = "URL",
      description = "OpenAI-compatible endpoint of an LLM judge that scores each student conversation on five"
          + " criteria (key from " + EvaluateJob.JUDGE_KEY_VARIABLE + " or OPENAI_API_KEY). Default: no judge.")
  String judgeUrl;

  @Option(names = "--judge-model", paramLabel = "NAME", description = "The judge's model; needed with --judge-url.")
  String judgeModel;

  @Option(names = "--ground-arguments", negatable = true, defaultValue = "true", fallbackValue = "true",
      description = "Keep the student's tool-call argument values to spans of what the user said or a tool returned"
          + " (default: on; --no-ground-arguments measures what the model copies alone).")
  boolean groundArguments;

  @Mixin SparkOptions sparkOptions;

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  private static String format(Estimate v) {
    return v.isDefined() ? String.format("%.3f  [%.3f, %.3f]  n=%d", v.value(), v.low(), v.high(), v.count()) : "–";
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if ((judgeUrl == null) != (judgeModel == null)) {
      throw new IllegalArgumentException(
          "Invalid judge: --judge-url and --judge-model go together");
    }
    java.net.URI judge = null;
    if (judgeUrl != null) {
      try {
        judge = new java.net.URI(judgeUrl);
        new dev.subterra.synthesis.openai.ChatClientConfig(judge, java.time.Duration.ofSeconds(1),
            java.time.Duration.ofSeconds(1), 1, 1, 0, java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(1),
            java.time.Duration.ZERO, 0);
      } catch (java.net.URISyntaxException | IllegalArgumentException e) {
        throw new IllegalArgumentException("Invalid --judge-url: " + judgeUrl);
      }
    }
    SparkSession spark = sparkOptions.start("subterra evaluate");
    try {
      EvaluateJob job = EvaluateJob.on(spark).run(run).scenarios(perPath, scenarios).k(k).seed(seed)
          .prices(hardware, frontier).groundArguments(groundArguments);
      if (judge != null) {
        job.judge(judge, judgeModel);
      }
      EvaluateJob.Result result = job.execute();
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
      result.baseline().ifPresent(b -> out.printf("MLlib baseline: path fidelity %s%n",
          format(b.summary().pathFidelity())));
      out.printf("Teacher replay (upper bound): path fidelity %s%n", format(result.reference().summary().pathFidelity()));
      result.judge().ifPresent(j -> out.printf("Judge %s: scored %d of %d conversations, overall %s%n", j.judge(),
          j.scored(), j.conversations(), format(j.criteria().get(dev.subterra.evaluation.judge.JudgeSummary.OVERALL))));
      out.printf("Wrote %s (summary.json, report.md, report.html, conversations/ and conversations*.jsonl)%n",
          result.evalDir());
    } finally {
      spark.stop();
    }
    out.flush();
    return 0;
  }
}
