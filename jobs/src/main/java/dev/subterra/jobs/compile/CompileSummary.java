package dev.subterra.jobs.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.subterra.jobs.io.RunFiles;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * The headline figures of a compiled run, read back from its files ({@code paths.json}, {@code synthesis.json},
 * {@code model/provenance.json}, {@code eval/summary.json}), so that they are the same whether a stage ran in this
 * attempt or was skipped.
 *
 * @param trainingSeconds the student's training time over every attempt (a resumed run adds its attempts)
 * @param nodeAccuracy node accuracy of the headline language cohort (users speaking held-out wording)
 * @param languages the headline figures of every language cohort, in the summary's order
 * @param costRatioInContext the in-context frontier's cost per conversation over the student's
 */
public record CompileSummary(
    String runDir,
    long paths,
    long dialogues,
    long draws,
    long teacherCalls,
    double teacherSpendUsd,
    long parameters,
    int epochs,
    double trainingSeconds,
    double nodeAccuracy,
    double pathFidelity,
    double heldoutPathFidelity,
    List<Language> languages,
    double studentCostUsd,
    double inContextCostUsd,
    double costRatioInContext,
    String report) {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One language cohort's figures: node accuracy, exact tool calls and path fidelity over its scenarios. */
  public record Language(String cohort, int scenarios, double nodeAccuracy, double toolCallAccuracy,
      double pathFidelity) {}

  /** Reads the summary of a completed run. */
  static CompileSummary read(RunFiles files, String runDir, RunManifest manifest) throws IOException {
    Path run = new Path(runDir);
    JsonNode paths = json(files, new Path(run, "paths.json"));
    JsonNode synthesis = json(files, new Path(run, "synthesis.json"));
    JsonNode model = json(files, new Path(run, "model/provenance.json"));
    JsonNode eval = json(files, new Path(run, "eval/summary.json"));
    String html = new Path(run, "eval/report.html").toString();
    String report = files.exists(new Path(html)) ? html : new Path(run, "eval/report.md").toString();
    return new CompileSummary(runDir, paths.path("paths").asLong(), synthesis.path("accepted").asLong(),
        synthesis.path("draws").asLong(), synthesis.path("calls").asLong(), synthesis.path("cost_usd").asDouble(),
        manifest.stage(CompilePipeline.TRAIN).rows().getOrDefault("parameters", 0L),
        model.path("epochs").asInt(), model.path("training_seconds").asDouble(),
        eval.path("node_accuracy").path("value").asDouble(Double.NaN),
        eval.path("path_fidelity").path("value").asDouble(Double.NaN),
        eval.path("heldout_path_fidelity").path("value").asDouble(Double.NaN), languages(eval),
        eval.path("student_cost_per_conversation_usd").asDouble(Double.NaN),
        eval.path("in_context_cost_per_conversation_usd").asDouble(Double.NaN),
        eval.path("cost_ratio_in_context").asDouble(Double.NaN), report);
  }

  private static List<Language> languages(JsonNode eval) {
    List<Language> out = new ArrayList<>();
    eval.path("language_cohorts").fields().forEachRemaining(e -> out.add(new Language(e.getKey(),
        e.getValue().path("scenarios").asInt(), e.getValue().path("node_accuracy").path("value").asDouble(Double.NaN),
        e.getValue().path("tool_call_accuracy").path("value").asDouble(Double.NaN),
        e.getValue().path("path_fidelity").path("value").asDouble(Double.NaN))));
    return out;
  }

  private static JsonNode json(RunFiles files, Path file) throws IOException {
    String text = files.readText(file);
    return text == null ? JSON.createObjectNode() : JSON.readTree(text);
  }

  /** The final summary as console lines. */
  public List<String> lines() {
    List<String> out = new ArrayList<>();
    out.add(String.format("  paths              %,d", paths));
    out.add(String.format("  dialogues          %,d accepted of %,d drawn; %,d teacher calls, $%.4f", dialogues, draws,
        teacherCalls, teacherSpendUsd));
    out.add(String.format("  training           %,d epochs in %.0f s%s", epochs, trainingSeconds,
        parameters > 0 ? String.format(" (%,d parameters)", parameters) : ""));
    out.add(String.format("  node accuracy      %.3f", nodeAccuracy));
    out.add(String.format("  path fidelity      %.3f (held-out paths %.3f)", pathFidelity, heldoutPathFidelity));
    if (!languages.isEmpty()) {
      out.add("  by users' language node   calls  path   (the figures above: heldout_language)");
      for (Language l : languages) {
        out.add(String.format("    %-16s %.3f  %.3f  %.3f  %d scenarios", l.cohort(), l.nodeAccuracy(),
            l.toolCallAccuracy(), l.pathFidelity(), l.scenarios()));
      }
    }
    out.add(String.format("  cost/conversation  $%.8f student vs $%.6f in-context frontier: %.0f× cheaper",
        studentCostUsd, inContextCostUsd, costRatioInContext));
    out.add("  report             " + report);
    return out;
  }
}
