package dev.subterra.jobs.paths;

import dev.subterra.workflow.paths.Coverage;
import dev.subterra.workflow.paths.PathSplit;
import java.util.Map;

/**
 * What a {@link PathsJob} wrote: where, how many paths per split, whether it sampled, and the coverage.
 */
public record PathsJobResult(
    String outputDir,
    String workflowId,
    String workflowHash,
    long paths,
    boolean sampled,
    Map<PathSplit, Long> splits,
    Coverage coverage,
    long millis) {}
