package dev.subterra.jobs.cli;

import dev.subterra.workflow.InvalidWorkflowException;
import dev.subterra.workflow.NodeKind;
import dev.subterra.workflow.Workflow;
import dev.subterra.workflow.WorkflowCodec;
import dev.subterra.workflow.WorkflowLoader;
import java.nio.file.Path;
import picocli.CommandLine.Parameters;

/** The workflow file argument that most commands take, loaded and validated before any work starts. */
final class WorkflowFile {
  @Parameters(index = "0", paramLabel = "WORKFLOW", description = "A workflow in the native format (.yaml or .json).")
  Path file;

  Workflow load() throws InvalidWorkflowException {
    return WorkflowLoader.load(file);
  }

  /** One line that says what a workflow is made of. */
  static String describe(Workflow workflow) {
    return String.format("%s: %d nodes (%d agent, %d user, %d decision, %d tool, %d terminal), %d slots, %d facts,"
            + " content hash %s",
        workflow.id(), workflow.nodes().size(), workflow.count(NodeKind.AGENT), workflow.count(NodeKind.USER),
        workflow.count(NodeKind.DECISION), workflow.count(NodeKind.TOOL), workflow.count(NodeKind.TERMINAL),
        workflow.slots().size(), workflow.knowledge().size(), WorkflowCodec.contentHash(workflow).substring(0, 12));
  }
}
