package dev.subterra.jobs.nightly;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;
import java.util.Map;

/**
 * One line of a workflow's {@code history.jsonl}: what a nightly run decided for it and why.
 *
 * @param outcome {@code promoted}, {@code refused}, {@code unchanged} or {@code failed}
 * @param candidate the candidate compiled (null when unchanged or when compilation failed)
 * @param baseline the candidate promoted at the time (null when none was)
 * @param metrics the candidate's gate metrics; {@code baselineMetrics} the promoted model's
 * @param reasons one line per gate metric, or why nothing was compiled, or the failure
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"time", "workflow_id", "outcome", "candidate", "baseline", "fingerprint", "workflow_content_hash",
    "metrics", "baseline_metrics", "reasons"})
public record HistoryEntry(
    String time,
    @JsonProperty("workflow_id") String workflowId,
    String outcome,
    String candidate,
    String baseline,
    String fingerprint,
    @JsonProperty("workflow_content_hash") String workflowContentHash,
    Map<String, Double> metrics,
    @JsonProperty("baseline_metrics") Map<String, Double> baselineMetrics,
    List<String> reasons) {}
