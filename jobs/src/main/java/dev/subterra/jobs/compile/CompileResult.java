package dev.subterra.jobs.compile;

import dev.subterra.jobs.evaluate.EvaluateJob;
import dev.subterra.jobs.paths.PathsJobResult;
import dev.subterra.jobs.synthesize.SynthesisResult;
import dev.subterra.training.artefact.ModelArtefact;

/** What one compilation produced: each stage's result, the run directory and the wall time. */
public record CompileResult(String runDir, PathsJobResult paths, SynthesisResult dialogues, ModelArtefact model,
    EvaluateJob.Result evaluation, double seconds) {}
