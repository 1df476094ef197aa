package dev.subterra.jobs.compile;

import dev.subterra.jobs.evaluate.EvaluateJob;
import dev.subterra.jobs.paths.PathsJobResult;
import dev.subterra.jobs.synthesize.SynthesisResult;
import dev.subterra.training.artefact.ModelArtefact;
import java.util.List;

/**
 * What one compilation produced: each stage's result, the run directory and the wall time.
 *
 * <p>A stage skipped because its inputs and configuration matched a completed output has no result object in this
 * attempt: its component ({@code paths}, {@code dialogues}, {@code model} or {@code evaluation}) is null. The
 * {@code summary} is read back from the run's files and is there either way; {@code stages} are the stages'
 * manifest records, in order, each saying whether it {@code ran} or was {@code skipped}.
 */
public record CompileResult(String runDir, PathsJobResult paths, SynthesisResult dialogues, ModelArtefact model,
    EvaluateJob.Result evaluation, double seconds, List<StageRecord> stages, CompileSummary summary) {

  public CompileResult {
    stages = List.copyOf(stages);
  }

  /** The names of the stages that ran in this attempt. */
  public List<String> ran() {
    return stages.stream().filter(s -> StageRecord.RAN.equals(s.action())).map(StageRecord::name).toList();
  }

  /** The names of the stages skipped in this attempt. */
  public List<String> skipped() {
    return stages.stream().filter(s -> StageRecord.SKIPPED.equals(s.action())).map(StageRecord::name).toList();
  }
}
