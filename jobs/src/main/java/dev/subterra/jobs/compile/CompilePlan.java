package dev.subterra.jobs.compile;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * What a compilation would do, decided without running anything: each stage to run or skip and why, the expected
 * teacher calls and spend, and where the outputs go. {@code subterra compile --dry-run} prints it.
 *
 * @param workDir the driver-local directory for checkpoints (and the teacher cache) of a remote run directory
 * @param teacher the expected teacher calls when synthesis runs, else null
 * @param options the options the stages would run with
 * @param workload what those options make of the workflow: dialogues, evaluation scenarios, the student, tokens
 */
public record CompilePlan(String runDir, String workDir, List<Step> steps, TeacherEstimate teacher,
    BigDecimal budgetUsd, CompileOptions options, WorkloadEstimate workload) {

  public CompilePlan {
    steps = List.copyOf(steps);
  }

  /** One stage of the plan. */
  public record Step(String stage, boolean runs, String reason, List<String> outputs) {
    public Step {
      outputs = List.copyOf(outputs);
    }
  }

  /** The stages that would run. */
  public List<String> running() {
    return steps.stream().filter(Step::runs).map(Step::stage).toList();
  }

  /** The plan as console lines. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add("Plan for " + runDir + " (dry run: nothing is run or written)");
    out.add(String.format("  options: preset %s, %d scenarios per path, %s epochs, %s evaluated, seed %d",
        options.preset(), options.perPath(), options.epochs() == null ? "default" : options.epochs(),
        options.evalScenarios() == CompileOptions.EVERY_PATH ? "every path"
            : "at most " + options.evalScenarios() + " scenarios", options.seed()));
    int i = 1;
    for (Step step : steps) {
      out.add(String.format("  [%d/%d] %-10s %-4s %s; writes %s", i++, steps.size(), step.stage(),
          step.runs() ? "run" : "skip", step.reason(), String.join(", ", step.outputs())));
    }
    out.addAll(workload.lines());
    if (teacher != null) {
      if (teacher.calls() == 0) {
        out.add(String.format("  teacher: template (offline), %,d scenarios, no calls, $0", teacher.scenarios()));
      } else {
        BigDecimal bounded = teacher.boundedSpend(budgetUsd);
        out.add(String.format("  teacher: %,d scenarios, at most %,d calls (answers already in the teacher cache are"
                + " free), about %,d tokens in and %,d out, estimated spend %s%s", teacher.scenarios(),
            teacher.calls(), teacher.inputTokens(), teacher.outputTokens(),
            teacher.spendUsd() == null ? "unknown (model not in the price table)"
                : String.format("$%.4f", teacher.spendUsd()),
            budgetUsd == null ? "" : String.format(" (budget $%s: at most $%.4f)", budgetUsd.toPlainString(), bounded)));
      }
    } else {
      out.add("  teacher: no calls (synthesis is skipped)");
    }
    if (workDir != null) {
      out.add("  driver-local work directory (checkpoints, teacher cache): " + workDir);
    }
    return out;
  }
}
