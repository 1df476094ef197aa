package dev.subterra.jobs.probe;

import java.util.List;
import java.util.Objects;

/**
 * A validated probe file: hand-written conversations of one workflow, each step checked against the workflow's
 * graph and tool signatures.
 *
 * @param source the file it was read from, as given
 * @param sha256 the SHA-256 of the file's bytes, for the report's provenance
 * @param workflowId the workflow the conversations follow
 */
public record ProbeSet(String source, String sha256, String workflowId, List<ProbeConversation> conversations) {
  public ProbeSet {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(workflowId, "workflowId");
    conversations = List.copyOf(conversations);
  }

  /** The number of agent steps over all conversations. */
  public int stepCount() {
    return conversations.stream().mapToInt(c -> c.stepIndices().size()).sum();
  }
}
