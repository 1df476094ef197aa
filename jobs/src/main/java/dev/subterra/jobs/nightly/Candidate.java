package dev.subterra.jobs.nightly;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One compiled model in the registry, as its {@code candidate.json} records it: which workflow content and compile
 * configuration made it (their fingerprint decides whether a workflow changed since), the run it came from, its
 * weights' hash, the gate's metrics from its evaluation, and provenance.
 *
 * @param fingerprint SHA-256 over the workflow's content hash and the compile configuration
 * @param metrics the gate-eligible numbers of its {@code summary.json}, by key (a null value: nothing to count)
 */
@JsonPropertyOrder({"candidate_id", "workflow_id", "workflow_file", "workflow_content_hash", "fingerprint", "compile",
    "run_dir", "model_weights_hash", "metrics", "provenance"})
public record Candidate(
    @JsonProperty("candidate_id") String candidateId,
    @JsonProperty("workflow_id") String workflowId,
    @JsonProperty("workflow_file") String workflowFile,
    @JsonProperty("workflow_content_hash") String workflowContentHash,
    String fingerprint,
    Map<String, Object> compile,
    @JsonProperty("run_dir") String runDir,
    @JsonProperty("model_weights_hash") String modelWeightsHash,
    Map<String, Double> metrics,
    Map<String, Object> provenance) {

  public Candidate {
    Objects.requireNonNull(candidateId, "candidateId");
    Objects.requireNonNull(workflowId, "workflowId");
    Objects.requireNonNull(fingerprint, "fingerprint");
    compile = compile == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(compile));
    metrics = metrics == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    provenance = provenance == null ? Map.of()
        : Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
  }
}
